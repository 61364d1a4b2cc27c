#!/bin/bash
# demo.sh: routed-plugin on one lab host, as a user would run it.
#
# Builds a network namespace "host" with its own Docker engine (nothing else
# on this machine is touched), starts routed-plugin for it, creates a
# net-routed network, runs two containers and shows their addresses, routes
# and a ping between them and the host.  Everything is removed at the end.
# Run as root after building: ./tests/demo.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/.." && pwd)}"
export top_builddir
. "$here/acceptance/lab.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

lab_init
lab_host demo 10.250.0.1/32
lab_dockerd demo
lab_image demo
lab_plugin demo --gateway 169.254.1.1 --mtu 9000
D() { lab_docker demo "$@"; }

say "docker network create --internal --driver=net-routed --ipam-driver=ipam-routed --subnet 10.46.0.0/16 mine"
D network create --internal --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.46.0.0/16 mine >/dev/null || exit 1
say "docker run -d --net=mine --ip 10.46.1.7 bb:local sleep 600   # explicit address"
D run -d --name one --net=mine --ip 10.46.1.7 bb:local sleep 600 >/dev/null || exit 1
say "docker run -d --net=mine bb:local sleep 600                  # address chosen by ipam-routed"
D run -d --name two --net=mine bb:local sleep 600 >/dev/null || exit 1
two=$(D inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' two)

say "inside container one"
run lab_docker demo exec one ip -4 addr show eth0
run lab_docker demo exec one ip route
say "on the host"
run lab_ip demo route show proto kernel
hv=$(lab_ip demo route show 10.46.1.7 | awk '{print $3}')
printf '$ cat /proc/sys/net/ipv4/conf/%s/proxy_arp\n' "$hv"
lab_exec demo cat "/proc/sys/net/ipv4/conf/$hv/proxy_arp"

say "container one -> container two ($two), host -> container one, container two -> host"
run lab_docker demo exec one ping -c 2 -W 2 "$two" || exit 1
run lab_exec demo "$LAB_BUSYBOX" ping -c 2 -W 2 10.46.1.7 || exit 1
run lab_docker demo exec two ping -c 2 -W 2 10.250.0.1 || exit 1

say "docker rm -f one two; docker network rm mine: nothing is left behind"
D rm -f one two >/dev/null
D network rm mine >/dev/null
run lab_ip demo -br link
run lab_ip demo route show proto kernel
say "demo done; cleaning up"
