# Homebrew formula for sbx. sbx's Landlock and seccomp backend is Linux's;
# the macOS (Seatbelt) build is not part of this formula yet.
# A release updates url and sha256 to the tarball `make dist` writes.
class Sbx < Formula
  desc "Run a command under a portable sandbox policy"
  homepage "https://sbx.invalid/"
  url "https://sbx.invalid/releases/sbx-0.1.0.tar.gz"
  sha256 "fef47f2b889e10471121c388e1dcf4e516681d59c487d65fe9b2a8973f0acb99"
  # The project has not chosen its license yet.
  license :cannot_represent

  depends_on "pkgconf" => :build
  depends_on "libcap-ng"
  depends_on "libseccomp"
  depends_on :linux

  def install
    # Homebrew links against its own shared libseccomp and libcap-ng.
    system "make", "install",
           "PREFIX=#{prefix}",
           "MANDIR=#{man}",
           "BASHCOMPDIR=#{bash_completion}",
           "ZSHCOMPDIR=#{zsh_completion}",
           "FISHCOMPDIR=#{fish_completion}",
           "STATIC_DEPS=-lseccomp -lcap-ng",
           "SHIM_STATIC=",
           "EXEC_STATIC="
  end

  test do
    assert_match "sbx-exec #{version}", shell_output("#{bin}/sbx-exec --version")
    (testpath/"out").mkpath
    policy = %W[--write=scope --writable= --writable=#{testpath}/out --allow-temp=false --read-deny=]
    # Allowed: a write into out/.
    system bin/"sbx-exec", *policy, "--", "sh", "-c", "echo ok > #{testpath}/out/allowed"
    assert_equal "ok\n", (testpath/"out/allowed").read
    # Denied: a write beside it fails and leaves nothing on the host.
    shell_output("#{bin}/sbx-exec #{policy.join(" ")} -- sh -c 'echo no > #{testpath}/denied' 2>&1", 2)
    refute_path_exists testpath/"denied"
  end
end
