# setup.sh — sourced by run.sh and test.sh: installs what is missing (Debian 12), builds
# into build/, and sets the MPI/BLAS environment of docs/platform.md.
# ICL_PACKAGES may name extra packages (test.sh adds what only tests need).

icl_packages="build-essential cmake pkg-config gfortran git openmpi-bin libopenmpi-dev \
  libpetsc-real-dev libscalapack-openmpi-dev libopenblas0-pthread libnetcdf-mpi-dev netcdf-bin \
  librandom123-dev libgsl-dev liblinear-dev libmuparser-dev python3 python3-numpy python3-netcdf4 \
  python3-xarray \
  python3-matplotlib python3-scipy python3-pandas python3-markdown ${ICL_PACKAGES:-}"

icl_install() {
  local missing=() p
  for p in $icl_packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

icl_build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython3_EXECUTABLE=/usr/bin/python3 >build.log 2>&1 \
    || { cat build.log; echo "setup: cmake configure failed (log above)"; return 1; }
  cmake --build build -j "$(nproc)" >>build.log 2>&1 || { tail -50 build.log; echo "setup: build failed (log in build.log)"; return 1; }
  rm -f build.log
}

# Open MPI as root, oversubscription for tests, one BLAS thread per rank (docs/platform.md).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_osc=sm,pt2pt OMPI_MCA_hwloc_base_binding_policy=none
export OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1
