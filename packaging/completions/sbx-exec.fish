# fish completion for sbx-exec(1).
# The option list below is checked against `sbx-exec --help` by
# tests/bats/completions.bats: add an option there and here together.

# Prints the position, among the words after sbx-exec, where the command
# starts (after '--' or at the first non-option word); fails if it has not.
function __sbx_exec_command_start
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l i 1
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --
                echo (math $i + 1)
                return 0
            case '--*=*'
            case --profile --policy --backend --net --write --writable --readable --read-deny --write-deny --redact \
                    --cpus --memory --pids --env-deny --env-allow --mach-allow --dir \
                    --allow-socket --allow-host --allow-localhost --setenv --keep-discarded --timeout --install-shims
                # The value is the next word.
                set i (math $i + 1)
            case '-*'
            case '*'
                echo $i
                return 0
        end
        set i (math $i + 1)
    end
    return 1
end

function __sbx_exec_in_command
    __sbx_exec_command_start >/dev/null
end

# Completes the command line from the command on, as fish would on its own.
function __sbx_exec_complete_command
    set -l start (__sbx_exec_command_start); or return
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l words
    if contains -- --install-shims (string replace -r '=.*' '' -- $tokens)
        # After --install-shims DIR, every word is a command name.
        complete -C (commandline -ct)
        return
    end
    if test $start -le (count $tokens)
        set words (string escape -- $tokens[$start..-1])
    end
    complete -C (string join ' ' -- $words (commandline -ct))
end

function __sbx_exec_profiles
    printf '%s\tbuilt-in profile\n' agent tight
    set -l dir (set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME; or echo $HOME/.config)
    for f in $dir/sbx/policies/*.policy /etc/sbx/policies/*.policy
        printf '%s\tpolicy file\n' (string replace -r '\.policy$' '' (basename $f))
    end
end

set -l opt complete -c sbx-exec -n 'not __sbx_exec_in_command'
$opt -l profile -x -a '(__sbx_exec_profiles)' -d 'Starting defaults'
$opt -l policy -r -a '(__sbx_exec_profiles)' -d 'Policy on top of the profile: name, file or k=v; k=v'
$opt -l backend -x -a 'auto landlock gvisor docker-ephemeral docker-runsc-ephemeral seatbelt appcontainer' -d 'Enforcing backend'
$opt -l net -x -a 'disable enable outbound allowlist' -d 'Network policy'
$opt -l allow-host -x -d 'Egress by name through the proxy (repeatable)'
$opt -l allow-localhost -x -d 'Forward a host loopback port in (repeatable)'
$opt -l write -x -a 'none scope ephemeral overlay' -d 'Filesystem write policy'
$opt -l writable -r -F -d 'Path that may be written (repeatable)'
$opt -l readable -r -F -d 'Restrict reads to these paths (repeatable)'
$opt -l read-deny -r -F -d 'Path that must not be readable (repeatable)'
$opt -l write-deny -r -F -d 'Path that must not be changed, renamed or removed (repeatable)'
$opt -l redact -r -F -d 'Show an INI-style config file without its credentials (repeatable)'
$opt -l no-exec -d 'No new program image after the command starts'
$opt -l allow-temp -d 'Also allow writes to the temp dir'
$opt -l cpus -x -d 'CPU cap in cores, e.g. 1.5'
$opt -l memory -x -d 'Memory cap: bytes or with k/m/g suffix'
$opt -l pids -x -d 'Process and thread cap'
$opt -l env-deny -x -a '(set -n)' -d 'Drop environment variables matching (repeatable)'
$opt -l env-allow -x -a '(set -n)' -d 'Keep only matching variables (repeatable)'
$opt -l mach-allow -x -d 'macOS Mach service allowed, Seatbelt only (repeatable)'
$opt -l dir -x -a '(__fish_complete_directories)' -d 'Working directory of the command'
$opt -l strict -d 'Refuse anything outside the portable capabilities'
$opt -l best-effort -d 'Run even where a capability cannot be enforced'
$opt -l kernel-isolation -d 'Require a user-space kernel (gVisor)'
$opt -l allow-socket -r -F -d 'Host unix socket reachable while IPC is restricted (repeatable)'
$opt -l setenv -x -d 'Set NAME=VALUE for the command, after scrubbing'
$opt -l die-with-parent -d 'The sandbox dies when the parent of sbx-exec dies'
$opt -l reuse -d 'One sandbox runs all commands of the parent of sbx-exec (a make) with this plan'
$opt -l report -d 'At exit, list what was discarded or refused'
$opt -l keep-discarded -r -a '(__fish_complete_directories)' -d 'Save the discarded writes under DIR'
$opt -l timeout -x -a '30s 5m 1h' -d 'Kill the sandbox after this long'
$opt -l install-shims -x -a '(__fish_complete_directories)' -d 'Create exec shims in DIR for the command names given'
$opt -l print -d 'Compile and print the plan; run nothing'
$opt -l json -d 'JSON output with --print, --caps, --doctor'
$opt -l caps -d 'Print the capability matrix'
$opt -l doctor -d 'Report which isolation features this host provides'
$opt -s h -l help -d 'Show the help'
$opt -l version -d 'Show the version, backends and library versions'

# The command and its arguments complete as they would on their own.
complete -c sbx-exec -n 'not __sbx_exec_in_command' -x -a '(__fish_complete_command)'
complete -c sbx-exec -n '__sbx_exec_in_command' -x -a '(__sbx_exec_complete_command)'
