#!/bin/bash
# zmq_ospf_frr10.sh - zmq_ospf.sh with FRR 10.3.4 on both hosts (with_frr10.sh);
# skips loudly where ../shared/frr is absent.
# Run: sudo tests/acceptance/zmq_ospf_frr10.sh
exec "$(cd "$(dirname "$0")" && pwd)/with_frr10.sh" zmq_ospf.sh
