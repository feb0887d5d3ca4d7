# Varnish in front of the two instances of deploy/compose.scaled.yaml, taken in turn; the
# rules are in colloquy.vcl.

vcl 4.1;

import directors;
import std;
import xkey;

backend api_1 {
    .host = "api-1";
    .port = "8000";
}

backend api_2 {
    .host = "api-2";
    .port = "8000";
}

# Who may purge: the compose file's network (api-1 runs the worker).
acl purgers {
    "172.28.0.0"/16;
}

sub vcl_init {
    new instances = directors.round_robin();
    instances.add_backend(api_1);
    instances.add_backend(api_2);
}

sub vcl_recv {
    set req.backend_hint = instances.backend();
}

include "colloquy.vcl";
