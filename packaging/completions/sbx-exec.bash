# bash completion for sbx-exec(1).
# The option list below is checked against `sbx-exec --help` by
# tests/bats/completions.bats: add an option there and here together.

_sbx_exec_options="--profile= --policy= --backend= --net= --write= --writable= --readable=
	--read-deny= --write-deny= --redact= --no-exec --allow-temp --cpus= --memory= --pids= --env-deny= --env-allow=
	--mach-allow= --dir= --strict --best-effort --kernel-isolation --allow-socket= --setenv= --allow-host= --allow-localhost= --die-with-parent --reuse --report --keep-discarded= --timeout=
	--install-shims= --print --json --caps --doctor --help --version"

# Profiles: the built-ins and the named policy files sbx-exec would find.
_sbx_exec_profiles()
{
	local d f
	printf '%s\n' agent tight
	for d in "${XDG_CONFIG_HOME:-$HOME/.config}/sbx/policies" /etc/sbx/policies; do
		for f in "$d"/*.policy; do
			[[ -e $f ]] || continue
			f=${f##*/}
			printf '%s\n' "${f%.policy}"
		done
	done
}

# Values of option $1 matching $2, one per line.
_sbx_exec_values()
{
	local opt=$1 cur=$2 IFS=$' \t\n'
	case $opt in
	--net) compgen -W "disable enable outbound allowlist" -- "$cur" ;;
	--write) compgen -W "none scope ephemeral overlay" -- "$cur" ;;
	--backend)
		compgen -W "auto landlock gvisor docker-ephemeral docker-runsc-ephemeral seatbelt
			appcontainer" -- "$cur"
		;;
	--profile) compgen -W "$(_sbx_exec_profiles)" -- "$cur" ;;
	--policy) compgen -W "$(_sbx_exec_profiles)" -- "$cur"; compgen -f -- "$cur" ;;
	--dir | --install-shims | --keep-discarded) compgen -d -- "$cur" ;;
	--writable | --readable | --read-deny | --write-deny | --redact | --allow-socket) compgen -f -- "$cur" ;;
	--no-exec | --allow-temp | --strict | --best-effort | --kernel-isolation | --die-with-parent | --reuse | --report)
		compgen -W "true false" -- "$cur"
		;;
	--timeout) compgen -W "30s 5m 1h" -- "$cur" ;;
	esac
}

# True when option $1 takes a path: its completions are file names, so a
# directory gets a '/' and no space after it (compopt -o filenames).
_sbx_exec_path_opt()
{
	case $1 in
	--dir | --install-shims | --keep-discarded | --writable | --readable | --read-deny | --write-deny | --redact | --allow-socket | --policy)
		return 0
		;;
	esac
	return 1
}

# True when option $1 takes its value as the next word if not after '='.
_sbx_exec_takes_value()
{
	[[ " $_sbx_exec_options " == *[[:space:]]"$1="[[:space:]]* ]]
}

_sbx_exec()
{
	local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i=1 w start=0 shims=0
	# Find where the command starts, if it does before the current word.
	while ((i < cword)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -- ]]; then
			start=$((i + 1))
			break
		elif [[ $w == --install-shims* ]]; then
			shims=1
		fi
		if [[ $w == -* ]]; then
			if [[ $w != *=* && ${COMP_WORDS[i + 1]} == = ]]; then
				((i += 3)) # "--net" "=" "disable": '=' is a word break
			elif [[ $w != *=* ]] && _sbx_exec_takes_value "$w"; then
				((i += 2))
			else
				((i += 1))
			fi
			continue
		fi
		start=$i
		break
	done
	if ((start > 0 && start <= cword)); then
		if ((shims)); then
			COMPREPLY=($(compgen -c -- "$cur"))
		elif declare -F _command_offset >/dev/null; then
			_command_offset "$start"
		elif ((start == cword)); then
			COMPREPLY=($(compgen -c -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return 0
	fi
	# An option's value: "--net=di" as one word, or split at '='.
	local IFS=$'\n' opt=
	if [[ $cur == = ]]; then
		opt=$prev cur=
	elif [[ $prev == = ]]; then
		opt=${COMP_WORDS[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		# one word: readline cannot tell the value is a file name, so a
		# directory gets its '/' here, and no space after it
		local v o=${cur%%=*}
		COMPREPLY=()
		for v in $(_sbx_exec_values "$o" "${cur#*=}"); do
			if _sbx_exec_path_opt "$o" && [[ -d $v ]]; then
				COMPREPLY+=("$o=${v%/}/")
				compopt -o nospace 2>/dev/null
			else
				COMPREPLY+=("$o=$v")
			fi
		done
		return 0
	elif [[ $prev == --* && $prev != *=* ]] && _sbx_exec_takes_value "$prev"; then
		opt=$prev
	fi
	if [[ -n $opt ]]; then
		COMPREPLY=($(_sbx_exec_values "$opt" "$cur"))
		_sbx_exec_path_opt "$opt" && compopt -o filenames 2>/dev/null
		return 0
	fi
	if [[ $cur == -* ]]; then
		IFS=$' \t\n'
		COMPREPLY=($(compgen -W "$_sbx_exec_options" -- "$cur"))
		[[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi
	COMPREPLY=($(compgen -c -- "$cur"))
}

complete -F _sbx_exec -o bashdefault -o default sbx-exec
