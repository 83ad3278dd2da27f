#!/bin/sh
# fresh-root.sh: a fresh Debian minbase root for the quick-start test
# (tests/slow/quickstart.bats), as a new user would have it.
#   fresh-root.sh make DIR         debootstrap --variant=minbase into DIR
#                                  (cached: a finished DIR is reused)
#   fresh-root.sh run DIR CMD...   run CMD (with sh -c) as root inside DIR
# "run" enters DIR with a private mount namespace and pivot_root, not
# chroot: a chrooted process may not create user namespaces, which sbx
# needs. /proc, /sys, /dev and a fresh /tmp are mounted inside; the host's
# resolv.conf is copied for the package mirror. Needs root.
set -eu
cmd=$1
root=$2
shift 2
case $cmd in
make)
	if [ -e "$root/.sbx-fresh-root-done" ]; then
		exit 0
	fi
	rm -rf "$root.partial"
	mkdir -p "$(dirname "$root")"
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	debootstrap --variant=minbase "$suite" "$root.partial" "${SBX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
	touch "$root.partial/.sbx-fresh-root-done"
	rm -rf "$root"
	mv "$root.partial" "$root"
	;;
run)
	script=$*
	unshare --mount --propagation private -- sh -eu -c '
		root=$1
		script=$2
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
		cp /etc/resolv.conf "$root/etc/resolv.conf"
		cd "$root"
		mkdir -p .old
		pivot_root . .old
		umount -l /.old
		rmdir /.old 2>/dev/null || true
		cd /
		exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root TERM=dumb LANG=C.UTF-8 /bin/sh -c "$script"
	' sh "$root" "$script"
	;;
*)
	echo "usage: fresh-root.sh make|run DIR [CMD...]" >&2
	exit 2
	;;
esac
