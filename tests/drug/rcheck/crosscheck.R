# The reference's GSE232173 preprocessing with Bioconductor (sva::ComBat_seq, edgeR), for the
# cross-check in r_crosscheck.py. usage: Rscript crosscheck.R COUNTS.tsv BATCHES.tsv OUTDIR
suppressPackageStartupMessages({ library(sva); library(edgeR) })
a <- commandArgs(trailingOnly = TRUE)
counts <- as.matrix(read.delim(a[1], row.names = 1, check.names = FALSE))
batches <- read.delim(a[2], check.names = FALSE)
batch <- batches[match(colnames(counts), batches[[1]]), 2]
adj <- ComBat_seq(counts, batch = batch, group = NULL)
out <- function(m, name) write.table(m, file.path(a[3], name), sep = "\t", quote = FALSE,
                                     col.names = NA)
out(adj, "combat.tsv")
y <- DGEList(counts)  # the edgeR steps on the counts as read, as prep_tool does
keep_ref <- filterByExpr(y, min.count = 0, min.prop = 0.1)
keep_default <- filterByExpr(y)
out(data.frame(reference = as.integer(keep_ref), default = as.integer(keep_default),
               row.names = rownames(counts)), "keep.tsv")
y <- y[keep_ref, , keep.lib.sizes = FALSE]
y <- calcNormFactors(y, method = "TMM")
out(data.frame(factor = y$samples$norm.factors, row.names = colnames(counts)), "tmm.tsv")
out(cpm(y, log = TRUE, prior.count = 2), "logcpm.tsv")
