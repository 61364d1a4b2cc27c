#!/bin/bash
# SPDX-License-Identifier: MIT
# make-v2-state.sh - how v2-journal/ and v2-compact/ were made: the
# routed-plugin binary of b7c11e2 (state version 2) driven through a real
# sequence of Docker calls, in a private network namespace:
#   unshare -n bash -c 'ip link set lo up; make-v2-state.sh journal'  (kill -9)
#   unshare -n bash -c 'ip link set lo up; make-v2-state.sh compact'  (SIGTERM)
# then state.json and journal copied from /tmp/fx/st.  Fixtures of
# test_records.c: the new daemon must load them as they are.
set -e
B=/work/main/src/routed-plugin
cd /tmp/fx
$B --announce none --state-dir /tmp/fx/st --socket-dir /tmp/fx/sock --run-dir /tmp/fx/run >log 2>&1 &
P=$!
for i in $(seq 50); do [ -S sock/ipam-routed.sock ] && break; sleep 0.1; done
n() { curl -s --unix-socket sock/net-routed.sock -d "$2" http://x/$1; echo; }
i() { curl -s --unix-socket sock/ipam-routed.sock -d "$2" http://x/$1; echo; }
E1=1111111111111111111111111111111111111111111111111111111111111111
E2=2222222222222222222222222222222222222222222222222222222222222222
E3=3333333333333333333333333333333333333333333333333333333333333333
E4=4444444444444444444444444444444444444444444444444444444444444444
NA=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
NB=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
i IpamDriver.RequestPool '{"AddressSpace":"RoutedLocal","Pool":"10.46.0.0/16","SubPool":"10.46.1.0/24","Options":{},"V6":false}'
i IpamDriver.RequestPool '{"AddressSpace":"RoutedLocal","Pool":"fd46::/64","SubPool":"","Options":{},"V6":true}'
i IpamDriver.RequestAddress '{"PoolID":"10.46.0.0/16","Address":"","Options":{"RequestAddressType":"com.docker.network.gateway"}}'
i IpamDriver.RequestAddress '{"PoolID":"10.46.0.0/16","Address":"10.46.0.9","Options":{}}'
n NetworkDriver.CreateNetwork '{"NetworkID":"'$NA'","Options":{"com.docker.network.enable_ipv6":true,"com.docker.network.generic":{"routed.tag":"77","routed.metric":"20","routed.announce":"both","com.docker.network.driver.mtu":"1400"}},"IPv4Data":[{"AddressSpace":"RoutedLocal","Gateway":"169.254.1.1/32","Pool":"10.46.0.0/16","AuxAddresses":{"r":"10.46.0.9/16"}}],"IPv6Data":[{"AddressSpace":"RoutedLocal","Gateway":"fe80::1/128","Pool":"fd46::/64"}]}'
i IpamDriver.RequestPool '{"AddressSpace":"RoutedLocal","Pool":"10.47.0.0/24","SubPool":"","Options":{},"V6":false}'
n NetworkDriver.CreateNetwork '{"NetworkID":"'$NB'","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"RoutedLocal","Gateway":"169.254.1.1/32","Pool":"10.47.0.0/24"}],"IPv6Data":[]}'
for e in $E1 $E2 $E3; do
 A4=$(i IpamDriver.RequestAddress '{"PoolID":"10.46.0.0/16","Address":"","Options":{}}' | sed 's/.*"Address":"\([^"]*\)".*/\1/')
 A6=$(i IpamDriver.RequestAddress '{"PoolID":"fd46::/64","Address":"","Options":{}}' | sed 's/.*"Address":"\([^"]*\)".*/\1/')
 n NetworkDriver.CreateEndpoint '{"NetworkID":"'$NA'","EndpointID":"'$e'","Interface":{"Address":"'$A4'","AddressIPv6":"'$A6'","MacAddress":""},"Options":{}}'
done
n NetworkDriver.Join '{"NetworkID":"'$NA'","EndpointID":"'$E1'","SandboxKey":"/var/run/docker/netns/abc","Options":{}}'
n NetworkDriver.Join '{"NetworkID":"'$NA'","EndpointID":"'$E2'","SandboxKey":"/var/run/docker/netns/def","Options":{}}'
A4=$(i IpamDriver.RequestAddress '{"PoolID":"10.47.0.0/24","Address":"","Options":{}}' | sed 's/.*"Address":"\([^"]*\)".*/\1/')
n NetworkDriver.CreateEndpoint '{"NetworkID":"'$NB'","EndpointID":"'$E4'","Interface":{"Address":"'$A4'","AddressIPv6":"","MacAddress":""},"Options":{}}'
n NetworkDriver.Join '{"NetworkID":"'$NB'","EndpointID":"'$E4'","SandboxKey":"/var/run/docker/netns/ghi","Options":{}}'
# E3: deleted again, address released
n NetworkDriver.DeleteEndpoint '{"NetworkID":"'$NA'","EndpointID":"'$E3'"}'
i IpamDriver.ReleaseAddress '{"PoolID":"10.46.0.0/16","Address":"10.46.1.2"}'
i IpamDriver.RequestAddress '{"PoolID":"10.46.0.0/16","Address":"","Options":{}}'
if [ "$1" = compact ]; then kill -TERM $P; wait $P || true; else kill -9 $P; wait $P || true; fi
ip -br link; ip route
