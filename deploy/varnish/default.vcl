# Varnish in front of one Colloquy service on this host, purged by surrogate keys (vmod xkey,
# Debian's varnish-modules). The rules are in colloquy.vcl; set the backend to the service (or a
# load balancer in front of its instances) and let the worker's hosts purge.

vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the hosts that run Colloquy's worker.
acl purgers {
    "127.0.0.1";
    "::1";
}

include "colloquy.vcl";
