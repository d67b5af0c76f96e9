# Shell functions the checks of cached launch plans call (src/permissions/launch_facts.ts renders the checks;
# ./codex-gpt-bridge sources this file, then a plan file). POSIX sh, builtins only where it can be: a process
# start costs ~10 ms on a small machine, and a warm start is what the cache is for. Names start with cgb_.

# Whether folder $1 resolves, symlinks followed, to $2. The working folder is kept (physical, see the checks).
cgb_real_dir() {
  cgb_back=$PWD
  CDPATH= cd -P -- "$1" 2>/dev/null || return 1
  cgb_at=$PWD
  # Nothing may run in another folder than the one the owner started in.
  CDPATH= cd -P -- "$cgb_back" || { echo "codex-gpt-bridge: cannot return to $cgb_back" >&2; exit 1; }
  [ "$cgb_at" = "$2" ]
}

# Whether $1 (a folder or a file) resolves to $2. Only a symlinked file needs a tool (realpath).
cgb_real() {
  if [ -d "$1" ]; then
    cgb_real_dir "$1" "$2"
  elif [ -L "$1" ]; then
    [ "$(realpath -- "$1" 2>/dev/null)" = "$2" ]
  elif [ -e "$1" ]; then
    case $1 in
      /*/*) cgb_real_dir "${1%/*}" "${2%/*}" ;;
      /*) [ "${2%/*}" = "" ] ;;
      */*) cgb_real_dir "${1%/*}" "${2%/*}" ;;
      *) cgb_real_dir . "${2%/*}" ;;
    esac && [ "${1##*/}" = "${2##*/}" ]
  else
    return 1
  fi
}

# Sets cgb_found to the first executable regular file named $1 in a non-empty PATH folder, or to nothing.
cgb_which() {
  cgb_found=
  cgb_ifs=$IFS
  IFS=:
  set -f
  for cgb_dir in $PATH; do
    if [ -n "$cgb_dir" ] && [ -f "$cgb_dir/$1" ] && [ -x "$cgb_dir/$1" ]; then
      cgb_found=$cgb_dir/$1
      break
    fi
  done
  set +f
  IFS=$cgb_ifs
}

# Whether no file of the checkout $1 is newer than the plan file $2 (a changed checkout plans afresh).
cgb_fresh() {
  for cgb_file in "$1/codex-gpt-bridge" "$1/main.ts" "$1/deno.json" "$1/deno.lock" "$1"/src/*.ts "$1"/src/*/*.ts \
    "$1"/src/*/*.sh "$1"/src/*/*/*.ts "$1"/src/*/*/*/*.ts; do
    [ "$cgb_file" -nt "$2" ] && return 1
  done
  return 0
}
