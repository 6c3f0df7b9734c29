#!/usr/bin/env bash
# Prepares bench/gpu/carry/ HERE (Debian 12, network) for bench/gpu/check.sh on a lent GPU
# machine, which has CUDA, CMake, ninja and PyTorch but none of Open MPI, Boost or
# nlohmann-json, and no network. `apt-get download` fetches the .debs (never installs them);
# check.sh unpacks them there with `dpkg -x`. Only what the GPU core needs:
#   Open MPI 4.1 (libraries, headers, orterun/orted) and what its core libraries load:
#     libpmix2, libhwloc15, libevent core/pthreads, libudev1, libmunge2 (found with ldd below);
#     the InfiniBand/OFI/UCX components' libraries are left out (check.sh picks the
#     shared-memory transports and silences those components' load errors);
#   Boost 1.74 headers, Boost.Test and Boost.Program_options (libraries + CMake configs);
#   nlohmann-json (headers + CMake config).
# Then it unpacks everything into a scratch prefix and fails if a library there needs one
# that is neither in the prefix nor in a bare glibc/libstdc++ system, and prints the size
# (the working tree that travels must stay under 64 MiB).
set -euo pipefail
cd "$(dirname "$0")"
CARRY=$PWD/carry
PKGS=(
  libopenmpi3 libopenmpi-dev openmpi-bin openmpi-common
  libpmix2 libhwloc15 libevent-core-2.1-7 libevent-pthreads-2.1-7 libudev1 libmunge2
  libboost1.74-dev libboost-test1.74-dev libboost-test1.74.0
  libboost-program-options1.74-dev libboost-program-options1.74.0
  nlohmann-json3-dev
)
rm -rf "$CARRY"
mkdir -p "$CARRY"
# apt-get download as root warns that _apt cannot write here; the download itself works.
(cd "$CARRY" && apt-get download "${PKGS[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
n=$(ls "$CARRY"/*.deb | wc -l)
[ "$n" -eq "${#PKGS[@]}" ] || { echo "prepare: got $n of ${#PKGS[@]} packages" >&2; exit 1; }

# Dependency check: every ELF file the GPU core loads from the prefix resolves inside the
# prefix or to a base library every Linux with a C++ compiler has.
PREFIX=$(mktemp -d /tmp/gpucarry-check.XXXXXX)
trap 'rm -rf "$PREFIX"' EXIT
for f in "$CARRY"/*.deb; do dpkg -x "$f" "$PREFIX"; done
LIB=$PREFIX/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$LIB/openmpi/lib:$LIB:$PREFIX/lib/x86_64-linux-gnu:$LIB/pmix2/lib
BASE='linux-vdso|ld-linux-x86-64|libc\.so|libm\.so|libz\.so|libstdc\+\+|libgcc_s|libpthread|libdl\.so|librt\.so'
bad=0
for f in "$LIB"/libmpi.so.40 "$LIB"/libopen-pal.so.40 "$LIB"/libopen-rte.so.40 "$LIB"/libpmix.so.2 \
  "$LIB"/libhwloc.so.15 "$LIB"/libboost_unit_test_framework.so.1.74.0 \
  "$LIB"/libboost_program_options.so.1.74.0 "$PREFIX"/usr/bin/orterun "$PREFIX"/usr/bin/orted \
  "$LIB"/openmpi/lib/openmpi3/mca_{btl_self,btl_vader,pml_ob1,ess_hnp,ess_env,ess_singleton,plm_rsh,pmix_ext3x,odls_default,oob_tcp}.so; do
  while read -r name path; do
    case "$path" in "$PREFIX"/*) continue ;; esac
    if ! grep -Eq "$BASE" <<<"$name"; then
      echo "prepare: $(basename "$f") needs $name ($path), not carried" >&2
      bad=1
    fi
  done < <(ldd "$f" | awk '/=>/ {print $1, $3} !/=>/ {print $1, $1}')
done
[ "$bad" -eq 0 ] || exit 1
echo "prepare: $n packages in $CARRY ($(du -sh "$CARRY" | cut -f1)); unpacked $(du -sh "$PREFIX" | cut -f1)"
