#!/bin/bash
# Docker HEALTHCHECK for scorehost: exit 0 when GET /readyz answers 200, 1 otherwise.
# Pure bash (/dev/tcp), so the images need no curl. Honours PORT like the server does.
# Usage: scorehost-healthcheck [port]   (tests/packaging runs it against a real server)
port=${1:-${PORT:-8080}}
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
# The status line is the first line of the answer: "HTTP/1.1 200 OK".
IFS=' ' read -r -t 3 _ status _ <&3 || exit 1
exec 3>&-
[[ $status == 200 ]]
