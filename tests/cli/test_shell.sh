#!/usr/bin/env bash
# test_shell.sh: end-to-end tests of the `arm` shell: output modes, -bail and
# exit statuses, error reports with LINE and caret, SQL from stdin, .read,
# .output/.once, .timer, and results flushed statement by statement.
# Usage: test_shell.sh PATH/TO/arm
set -u
ARM=${1:?usage: test_shell.sh PATH/TO/arm}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0
PASSED=0

# check NAME EXPECTED ACTUAL
check() {
    if [[ "$2" == "$3" ]]; then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
        printf 'FAIL %s\n--- expected:\n%s\n--- actual:\n%s\n' "$1" "$2" "$3" >&2
    fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
    if [[ "$3" == *"$2"* ]]; then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
        printf 'FAIL %s\n--- expected to contain:\n%s\n--- actual:\n%s\n' "$1" "$2" "$3" >&2
    fi
}

Q="SELECT 1 AS a, 'x,y' AS b, NULL AS c UNION ALL SELECT 22, 'he\"y', 3"

check csv 'a,b,c
1,"x,y",
22,"he""y",3' "$("$ARM" -csv -header :memory: "$Q")"

check csv-noheader '1,"x,y",
22,"he""y",3' "$("$ARM" -csv :memory: "$Q")"

check json '[{"a":1,"b":"x,y","c":null},
{"a":22,"b":"he\"y","c":3}]' "$("$ARM" -json :memory: "$Q")"

check line '  a = 1
bbb = x,y
  c = 

  a = 22
bbb = he"y
  c = 3' "$("$ARM" -line :memory: "SELECT 1 AS a, 'x,y' AS bbb, NULL::INTEGER AS c UNION ALL SELECT 22, 'he\"y', 3")"

check markdown '| a  | b    | c |
|---:|------|--:|
|  1 | x,y  |   |
| 22 | he"y | 3 |' "$("$ARM" -markdown :memory: "SELECT 1 AS a, 'x,y' AS b, NULL::INTEGER AS c UNION ALL SELECT 22, 'he\"y', 3")"

check box '┌────┬──────┬──────┐
│ a  │  b   │  c   │
├────┼──────┼──────┤
│  1 │ x,y  │ NULL │
│ 22 │ he"y │    3 │
└────┴──────┴──────┘' "$("$ARM" -box :memory: "SELECT 1 AS a, 'x,y' AS b, NULL::INTEGER AS c UNION ALL SELECT 22, 'he\"y', 3")"

check table '+-----+-------+
|  n  |   s   |
+-----+-------+
| 1.5 | hello |
+-----+-------+' "$("$ARM" -table :memory: "SELECT 1.5 AS n, 'hello' AS s")"

check nullvalue 'x|-' "$("$ARM" -nullvalue - :memory: "SELECT 'x', NULL")"

# Default mode without a terminal is list, and SQL comes from stdin.
check stdin-list '1|a
2|b' "$(printf "SELECT 1, 'a';\nSELECT 2,\n 'b';\n" | "$ARM")"

check semicolon-in-quotes 'a;b|c' "$(printf "SELECT 'a;b', -- x;y\n 'c';\n" | "$ARM")"

check comment-splitting '1
2' "$(printf "SELECT /* ; */ 1; -- ; not a statement\n/* multi\n line; */ SELECT 2\n" | "$ARM")"

check cmd-option 'a,b
1,2' "$("$ARM" -cmd '.mode csv' -cmd '.headers on' :memory: 'SELECT 1 AS a, 2 AS b')"

check c-option '3' "$("$ARM" -c 'SELECT 1 + 2')"

# Errors: non-zero exit status; -bail stops at the first one.
out=$(printf "SELECT 1;\nSELECT nosuch_col;\nSELECT 2;\n" | "$ARM" 2>/dev/null)
rc=$?
check no-bail-output '1
2' "$out"
check no-bail-status 1 "$rc"
out=$(printf "SELECT 1;\nSELECT nosuch_col;\nSELECT 2;\n" | "$ARM" -bail 2>/dev/null)
rc=$?
check bail-output 1 "$out"
check bail-status 1 "$rc"
"$ARM" :memory: "SELECT nosuch_col" >/dev/null 2>&1
check failed-argument-status 1 "$?"
"$ARM" :memory: "SELECT 1" >/dev/null 2>&1
check ok-argument-status 0 "$?"

# An error names the line and puts a caret under the position.
err=$(printf "SELECT 1 AS x,\n  nosuch_col AS y;\n" | "$ARM" 2>&1 >/dev/null)
check_contains error-message 'Error: column "nosuch_col" does not exist' "$err"
check_contains error-line 'LINE 2:   nosuch_col AS y;' "$err"
check_contains error-caret $'\n          ^' "$err"

err=$("$ARM" :memory: "SELEC 1" 2>&1 >/dev/null)
check_contains syntax-error 'Error: ' "$err"
check_contains syntax-error-line 'LINE 1: SELEC 1' "$err"

# Dot commands: .mode, .headers, .read, .output, .once, .timer, .tables.
printf "CREATE TABLE t (a INTEGER, b VARCHAR);\nINSERT INTO t VALUES (1, 'one'), (2, 'two');\n" \
    >"$TMP/setup.sql"
out=$(printf ".read %s\n.mode csv\n.headers on\nSELECT * FROM t ORDER BY a;\n" "$TMP/setup.sql" |
    "$ARM")
check read 'a,b
1,one
2,two' "$out"

out=$(printf ".read %s\n.tables\n" "$TMP/setup.sql" | "$ARM")
check tables 't' "$out"

out=$(printf ".read %s\n.schema t\n" "$TMP/setup.sql" | "$ARM")
check schema 'CREATE TABLE t(a INTEGER, b VARCHAR);' "$out"

out=$(printf ".once %s\nSELECT 1;\nSELECT 2;\n.output %s\nSELECT 3;\n.output\nSELECT 4;\n" \
    "$TMP/once.txt" "$TMP/out.txt" | "$ARM")
check once-stdout '2
4' "$out"
check once-file 1 "$(cat "$TMP/once.txt")"
check output-file 3 "$(cat "$TMP/out.txt")"

out=$(printf ".timer on\nSELECT 1;\n" | "$ARM")
check_contains timer 'Run Time: real ' "$out"

out=$(printf ".mode json\nSELECT 1 AS a WHERE false;\n" | "$ARM")
check json-empty '[]' "$out"

out=$("$ARM" -echo :memory: "SELECT 7")
check echo 'SELECT 7
7' "$out"

check_contains version 'arm 0.' "$("$ARM" -version)"
"$ARM" -nosuchoption >/dev/null 2>&1
check bad-option-status 1 "$?"

# A dot command that is not known fails with -bail.
printf ".nosuchcommand\nSELECT 1;\n" | "$ARM" -bail >/dev/null 2>&1
check bad-command-status 1 "$?"

# .quit stops reading; exit status 0.
out=$(printf "SELECT 1;\n.quit\nSELECT 2;\n" | "$ARM")
rc=$?
check quit-output 1 "$out"
check quit-status 0 "$rc"

# Results are flushed statement by statement: read the first result before
# the second statement is sent.
coproc SHELL_PROC { "$ARM" 2>&1; }
echo "SELECT 41 + 1;" >&"${SHELL_PROC[1]}"
first=""
read -r -t 10 first <&"${SHELL_PROC[0]}"
check flush-first 42 "$first"
echo "SELECT 'second';" >&"${SHELL_PROC[1]}"
second=""
read -r -t 10 second <&"${SHELL_PROC[0]}"
check flush-second second "$second"
shell_pid=${SHELL_PROC_PID:-}
exec {SHELL_PROC[1]}>&-
[[ -n "$shell_pid" ]] && wait "$shell_pid" 2>/dev/null

# A database folder keeps its tables and their versions across runs of the shell.
"$ARM" "$TMP/db" "CREATE TABLE kept(a INTEGER, b VARCHAR); INSERT INTO kept VALUES (1, 'one'), (2, NULL)" >/dev/null 2>&1
"$ARM" "$TMP/db" "DELETE FROM kept WHERE a = 1" >/dev/null 2>&1
check persisted "2|" "$("$ARM" "$TMP/db" "SELECT * FROM kept" 2>&1)"
check version_1 "1|one 2|" "$("$ARM" "$TMP/db" "SELECT * FROM kept VERSION 1 ORDER BY a" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check no_stray_warning 0 "$("$ARM" "$TMP/db" "SELECT 1" 2>&1 >/dev/null | grep -c 'Warning')"

echo "test_shell.sh: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
