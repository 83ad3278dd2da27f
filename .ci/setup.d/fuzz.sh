#!/usr/bin/env bash
# CI setup (root) for `make fuzz`: clang, whose libFuzzer and sanitizer
# runtimes come with it on Debian (libclang-rt-*-dev).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends clang >/dev/null
