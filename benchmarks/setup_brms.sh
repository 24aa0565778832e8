#!/usr/bin/env bash
# Install R and brms from Debian packages (r-cran-brms pulls rstan and a C++ toolchain).
# Idempotent: exits early when brms already loads. Needs root (or run under sudo).
set -euo pipefail
if command -v Rscript >/dev/null 2>&1 && Rscript -e "suppressMessages(library(brms)); stopifnot(dir.exists(system.file('include', package = 'BH')))" >/dev/null 2>&1; then
    echo "brms already installed: $(Rscript -e 'cat(as.character(packageVersion("brms")))')"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends r-cran-brms r-base-dev r-cran-bh r-cran-rcppeigen r-cran-stanheaders r-cran-rcppparallel r-cran-jsonlite r-cran-posterior
# Debian's r-cran-bh ships no BH/include (the headers are libboost-dev's /usr/include/boost), but
# rstan compiles with -I$(system.file("include", package = "BH")): point it at the system headers.
bh=$(Rscript -e 'cat(system.file(package = "BH"))')
if [ -n "$bh" ] && [ ! -e "$bh/include" ]; then ln -s /usr/include "$bh/include"; fi
Rscript -e 'suppressMessages(library(brms)); cat("brms", as.character(packageVersion("brms")), "\n")'
