#!/usr/bin/env bash
# Installs every Debian 12 package gbmsweep needs to build, test and run its demo.
# Used by the README and by .ci/run; safe to run twice (apt-get is idempotent).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  cmake g++ make ccache git pkg-config
  libtorch-dev libopenblas0-openmp libdnnl-dev
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev libhdf5-dev hdf5-tools
  libinsighttoolkit5-dev
  libboost-program-options-dev libboost-test-dev libboost-dev
  r-mathlib libtomlplusplus-dev nlohmann-json3-dev
  libxgboost-dev
  gnuplot-nox parallel slurm-wlm munge
  python3-h5py python3-nibabel python3-numpy python3-scipy python3-sklearn python3-torch
  zlib1g-dev libssl-dev libdeflate-dev python3-skimage
  time  # /usr/bin/time: peak memory in tests/mri/check_lean.py and bench/mri
  r-bioc-sva r-bioc-edger  # the drug preprocessing's cross-check against Bioconductor (tests)
)
# Skip apt entirely when everything is already there (a second run, a warm CI machine).
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
