// Shell building blocks shared by every script we generate. Values are always single-quoted
// (`shq`), secrets never appear in a script (they arrive on stdin as a payload of files),
// and every script logs to /var/log/sloth/<step>.log while keeping its stdout for the one
// output the step reports back (a kubeconfig, a certificate, ...).

/** Quotes a value for bash: safe for any string, including quotes and newlines. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface PayloadFile {
  path: string;
  /** Octal mode, e.g. `0600`. */
  mode: string;
  content: string;
}

/** Encodes files for a step's stdin: one line per file, `base64(path) mode base64(content)`. */
export function encodePayload(files: readonly PayloadFile[]): string {
  for (const f of files) {
    if (!f.path.startsWith('/')) throw new Error(`payload path must be absolute: ${f.path}`);
    if (!/^0[0-7]{3}$/.test(f.mode)) throw new Error(`payload mode must be octal like 0600: ${f.mode}`);
  }
  return files.map((f) => `${Buffer.from(f.path).toString('base64')} ${f.mode} ${Buffer.from(f.content).toString('base64')}\n`).join('');
}

/** The standard head of a step script: strict mode, private files, logging, stdout kept on fd 3. */
export function scriptHeader(step: string, purpose: string): string {
  return `#!/usr/bin/env bash
# sloth-kubernetes step '${step}': ${purpose}
# Generated; re-run whenever its inputs change. Secrets arrive on stdin, never as arguments.
set -euo pipefail
umask 077
exec 3>&1
mkdir -p /var/log/sloth
exec 1> >(tee -a /var/log/sloth/${step}.log >&2) 2>&1
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) ${step} starting"
`;
}

/**
 * Bash function that installs the payload read from stdin. Files are written through a
 * private temporary file and renamed into place, so a reader never sees half a file; every
 * path whose content changed is appended to the file named by $1.
 */
export const INSTALL_PAYLOAD_FUNCTION = `install_payload() {
  local changed_list="$1" path_b64 mode data_b64 path dir tmp
  while read -r path_b64 mode data_b64; do
    [ -n "$path_b64" ] || continue
    path="$(printf '%s' "$path_b64" | base64 -d)"
    dir="$(dirname "$path")"
    mkdir -p "$dir"
    tmp="$(mktemp "$dir/.sloth.XXXXXX")"
    printf '%s' "$data_b64" | base64 -d >"$tmp"
    chmod "$mode" "$tmp"
    if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
      rm -f "$tmp"
    else
      mv -f "$tmp" "$path"
      echo "$path" >>"$changed_list"
    fi
  done
}
`;

/** Bash function: retries a command with a pause, for downloads and APIs that come up slowly. */
export const RETRY_FUNCTION = `retry() {
  local attempts="$1" pause="$2" n=1
  shift 2
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "giving up after $n attempts: $*"
      return 1
    fi
    n=$((n + 1))
    sleep "$pause"
  done
}
`;

/**
 * Bash function that installs a file from its stdin (a quoted here-document in the script):
 * `write_file CHANGED_LIST PATH MODE <<'…'`. Same guarantees as `install_payload`: written
 * through a private temporary file and renamed into place, and PATH is appended to
 * CHANGED_LIST only when its content or mode changed. For files that hold no secret, so
 * that they are part of the step's script and show in a preview's diff.
 */
export const WRITE_FILE_FUNCTION = `write_file() {
  local changed_list="$1" path="$2" mode="$3" dir tmp
  dir="$(dirname "$path")"
  mkdir -p "$dir"
  tmp="$(mktemp "$dir/.sloth.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "$(stat -c %a "$tmp")" ]; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$path"
    echo "$path" >>"$changed_list"
  fi
}
`;

const HEREDOC_END = 'SLOTH_FILE_END';

/**
 * A `write_file` call carrying `content` in a quoted here-document (nothing in it is
 * expanded). `pathExpression` is shell text, e.g. `"$HOME_DIR/.ssh/authorized_keys"` or a
 * `shq`-quoted path.
 */
export function writeFileCommand(changedList: string, pathExpression: string, mode: string, content: string): string {
  if (!/^0[0-7]{3}$/.test(mode)) throw new Error(`file mode must be octal like 0600: ${mode}`);
  const body = content.endsWith('\n') ? content : `${content}\n`;
  if (body.split('\n').includes(HEREDOC_END)) throw new Error(`a file for ${pathExpression} holds the line ${HEREDOC_END}, which ends the here-document carrying it`);
  return `write_file ${changedList} ${pathExpression} ${mode} <<'${HEREDOC_END}'\n${body}${HEREDOC_END}\n`;
}
