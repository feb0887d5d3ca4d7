# What Colloquy needs of any Varnish in front of it, included by default.vcl and compose.vcl,
# which say where the service is and who may purge (backend, acl purgers).
#
# Colloquy marks every public response it may be kept with the keys of what it shows
# (Surrogate-Key) and how long a CDN may keep it (Surrogate-Control); each change purges its
# keys: COLLOQUY_PURGE_TARGETS=varnish:http://<this varnish>/ sends `PURGE /` with
# `xkey-purge: <keys>`, from an address in `purgers`.
#
# A response's keys may take 16 KB (and as much again as Cache-Tag), more than Varnish's
# default limits on a backend response's headers; start varnishd with at least
#   -p http_resp_hdr_len=32k -p http_resp_size=96k -p workspace_backend=256k
# and with this folder in its vcl_path (or the files in /etc/varnish).

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Missing xkey-purge"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    # The public API is the same for everyone: a cookie of the site's must not split its cache.
    if (req.url ~ "^/(content|feeds|sitemaps)/") {
        unset req.http.Cookie;
    }
    # Everything else, and writes, Varnish's built-in VCL passes to the service.
}

sub vcl_backend_response {
    # Only what carries keys is kept: anything else could not be purged when it changes.
    # (Colloquy marks what it does not keep itself `Surrogate-Control: no-store`, which the
    # built-in VCL turns into a hit-for-miss.)
    if (!beresp.http.Surrogate-Key) {
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    # Varnish reads Cache-Control (the browsers' minute) but not Surrogate-Control (the CDN's
    # lifetime): read it here.
    if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1s"), 0s);
    }
}

sub vcl_deliver {
    # Whether this answer came from the cache, for whoever watches (and the tests).
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # For the CDN only, as Fastly and Cloudflare do.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    unset resp.http.Surrogate-Control;
    unset resp.http.CDN-Cache-Control;
}
