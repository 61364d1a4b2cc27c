#!/bin/bash
# SPDX-License-Identifier: MIT
# demo.sh: the whole product on one machine, as an operator would see it.
#
# Two "hosts" (network namespaces) joined by a cable, each with Debian's FRR
# (zebra + ospfd, configured from frr-conf/), its own Docker engine and its
# own routed-plugin.  A net-routed network on each host, a container on
# each, a ping from one to the other, and the container routes as each
# host's vtysh and kernel show them.  Nothing else on this machine is
# touched, and everything is removed at the end.
# Run as root after building: ./tests/demo.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/.." && pwd)}"
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
export top_builddir top_srcdir
. "$here/acceptance/lab.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
A=hostA
B=hostB

lab_init
lab_frr_need
say "two hosts: $A (10.250.0.1, AS 64601) and $B (10.250.0.2) joined by 10.200.0.0/30; FRR zebra+ospfd on each"
lab_pair $A $B ospf
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B
say "routed-plugin on each host, announcing straight to its zebra"
lab_plugin $A --gateway 169.254.1.1 --zebra-socket "$(lab_zserv $A)"
lab_plugin $B --gateway 169.254.1.1 --zebra-socket "$(lab_zserv $B)"
retry 20 sh -c "vtysh --vty_socket $(lab_fdir $A) --config_dir $(lab_fdir $A) -c 'show ip ospf neighbor' | grep -q Full" ||
	{ echo "OSPF did not come up"; exit 1; }

for h in $A $B; do
	r=10.46.1.0/24; [ $h = $B ] && r=10.46.2.0/24
	say "[$h] docker network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.46.0.0/16 --ip-range $r mine"
	lab_docker $h network create --driver=net-routed --ipam-driver=ipam-routed \
		--subnet 10.46.0.0/16 --ip-range $r mine >/dev/null || exit 1
done
say "[$A] docker run -d --net=mine --ip 10.46.1.7 bb:local sleep 600"
lab_docker $A run -d --name a1 --net=mine --ip 10.46.1.7 bb:local sleep 600 >/dev/null || exit 1
say "[$B] docker run -d --net=mine bb:local sleep 600       # address chosen by ipam-routed"
lab_docker $B run -d --name b1 --net=mine bb:local sleep 600 >/dev/null || exit 1
b1=$(lab_docker $B inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' b1)

say "[$A] inside container a1"
run lab_docker $A exec a1 ip -4 addr show eth0
run lab_docker $A exec a1 ip route
say "[$A] zebra holds the container route, announced by routed-plugin as type babel"
printf '$ vtysh -c "show ip route babel"\n'
lab_vtysh $A 'show ip route babel'
say "[$B] the route arrived by OSPF, with the plugin's tag"
retry 20 sh -c "ip -n $(lab_ns $B) route show 10.46.1.7 | grep -q ospf" || true
printf '$ ip route show proto ospf\n'
lab_ip $B route show proto ospf
printf '$ vtysh -c "show ip ospf database external 10.46.1.7"\n'
lab_vtysh $B 'show ip ospf database external 10.46.1.7' | grep -E 'Link State ID|Advertising|External Route Tag'
say "[$A] a1 pings b1 ($b1) on the other host; [$B] b1 pings a1"
retry 20 sh -c "ip -n $(lab_ns $A) route show $b1 | grep -q ospf" || true
run lab_docker $A exec a1 ping -c 3 -W 2 "$b1" || exit 1
run lab_docker $B exec b1 ping -c 3 -W 2 10.46.1.7 || exit 1

say "[$A] docker rm -f a1: the route leaves $B"
lab_docker $A rm -f a1 >/dev/null
retry 10 sh -c "! ip -n $(lab_ns $B) route show 10.46.1.7 | grep -q ospf" && echo "10.46.1.7 is gone from $B"
lab_docker $B rm -f b1 >/dev/null
lab_docker $A network rm mine >/dev/null
lab_docker $B network rm mine >/dev/null
say "demo done; cleaning up"
