# brew_harness.rb FORMULA SRCDIR PREFIX TESTPATH: runs a formula's install
# and test blocks without Homebrew, through a small stand-in for the parts
# of Homebrew's Formula DSL that the formula (`make dist` writes it from
# packaging/homebrew/sbx.rb.in) uses, after
# checking the fields every formula must have. Prints "ok" or raises.
require "pathname"

class Formula
  class << self
    attr_reader :fields, :deps, :test_block

    %i[desc homepage url sha256 license].each do |f|
      define_method(f) { |v| (@fields ||= {})[f] = v }
    end

    def depends_on(dep)
      (@deps ||= []) << dep
    end

    def test(&block)
      @test_block = block
    end
  end

  attr_reader :prefix, :testpath

  def initialize(prefix, testpath)
    @prefix = Pathname(prefix)
    @testpath = Pathname(testpath)
  end

  def bin = prefix/"bin"
  def man = prefix/"share/man"
  def bash_completion = prefix/"etc/bash_completion.d"
  def zsh_completion = prefix/"share/zsh/site-functions"
  def fish_completion = prefix/"share/fish/vendor_completions.d"
  def version = self.class.fields[:url][/-(\d+(?:\.\d+)+)\.tar/, 1]

  def system(*args)
    Kernel.system(*args.map(&:to_s)) or raise "failed: #{args.join(" ")}"
  end

  def shell_output(cmd, status = 0)
    out = `#{cmd}`
    raise "#{cmd}: status #{$?.exitstatus}, wanted #{status}" unless $?.exitstatus == status

    out
  end

  def assert_match(pattern, text)
    raise "#{pattern.inspect} not in #{text.inspect}" unless text.match?(pattern)
  end

  def assert_equal(want, got)
    raise "wanted #{want.inspect}, got #{got.inspect}" unless want == got
  end

  def refute_path_exists(path)
    raise "#{path} exists" if File.exist?(path)
  end
end

formula, src, prefix, testpath = ARGV
load formula
klass = Object.const_get(File.basename(formula, ".rb").capitalize)
%i[desc homepage url sha256 license].each do |f|
  raise "formula lacks #{f}" unless klass.fields&.key?(f)
end
raise "sha256 is not 64 hex digits" unless klass.fields[:sha256].match?(/\A\h{64}\z/)
raise "no test block" unless klass.test_block

f = klass.new(prefix, testpath)
Dir.chdir(src) { f.install }
Dir.chdir(testpath) { f.instance_eval(&klass.test_block) }
puts "ok"
