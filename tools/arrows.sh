#!/bin/sh
# Checks that #include arrows between the source folders point one way only:
#
#   app -> sim -> reports -> core -> base      (each may also include anything to its right)
#
# base/ imports nothing of the project. A header is found by its name (the Makefile puts
# every folder on the include path), so each quoted #include is mapped to the folder that
# holds a file of that name. Prints each reversed arrow as FILE:LINE: and exits 1 if any.
set -u
LAYERS="base core reports sim app"
rank() { i=0; for l in $LAYERS; do [ "$l" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
bad=0
for dir in $LAYERS; do
  [ -d "$dir" ] || continue
  r=$(rank "$dir")
  for f in "$dir"/*.c "$dir"/*.h; do
    [ -f "$f" ] || continue
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
      n=${line%%:*}
      name=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
      base=${name##*/}
      owner=
      for l in $LAYERS; do [ -f "$l/$base" ] && owner=$l; done
      [ -n "$owner" ] || continue          # a system or generated header
      if [ "$(rank "$owner")" -gt "$r" ]; then
        echo "$f:$n: $dir/ includes $owner/$base, but $dir/ may not depend on $owner/"
      fi
    done
  done
done > "${TMPDIR:-/tmp}/arrows.$$"
if [ -s "${TMPDIR:-/tmp}/arrows.$$" ]; then
  cat "${TMPDIR:-/tmp}/arrows.$$" >&2
  bad=1
fi
rm -f "${TMPDIR:-/tmp}/arrows.$$"
[ $bad = 0 ] && echo "arrows: ok (base <- core <- reports <- sim <- app)"
exit $bad
