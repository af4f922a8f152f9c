#!/usr/bin/env python3
"""vipd against keepalived, side by side, on the same lab in the same run.

The lab (network namespaces, cleaned up whatever happens): routers m and b and a client
c, on segment 0 (single-instance measurements) and segments 1..10 (veth + bridge, one per
"VLAN": this kernel has none), each with 100 VRRPv3 instances and one VIP per instance,
1000 in all. Addresses come from the benchmark range 198.18.0.0/15 only.

Each scenario runs both daemons with equivalent generated configurations and prints a
row per daemon; the table at the end has the ratios vipd / keepalived. Nothing here is a
pass/fail test: the numbers go in the issue notes.

With --auth-hmac every instance of both daemons signs and checks its adverts (auth_hmac,
draft-cassen-vrrp-auth-hmac-00, one 32-byte key): the cost of HMAC-SHA256 per advert. The
keepalived is then the auth_hmac build of ../shared/peers (KEEPALIVED_HMAC, or the one
tests/interop/keepalived_hmac.sh cached in /var/cache/vipd-peers).

Usage: bench.py [--only steady,mass,reload,startup,single,precision,handover] [--quick]
                [--daemons vipd,keepalived] [--auth-hmac]
"""
import argparse
import glob
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

PFX = f"vb{os.getpid() % 100000}"
SEGMENTS = range(1, 11)
PER_SEGMENT = 100
HOSTS = {"m": 11, "b": 12, "c": 100}
CLK_TCK = os.sysconf("SC_CLK_TCK")

VIPD = os.environ.get("VIPD", "build/src/vipd")
KEEPALIVED = "keepalived"
HMAC_KEY = ""  # --auth-hmac: "hex:..." for every instance of both daemons
FLOOR = os.environ.get("VRRP_FLOOR", "build/tests/bench/vrrp-floor")
WORK = tempfile.mkdtemp(prefix="vipd-bench.")
PROCS = []  # everything we started, killed at exit


def log(msg):
    print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=check, text=True,
                          capture_output=True, **kw)


def ns(host):
    return f"{PFX}-{host}"


def in_ns(host, cmd):
    return f"ip netns exec {ns(host)} {cmd}"


def spawn(cmd, out=None, **kw):
    p = subprocess.Popen(cmd, shell=isinstance(cmd, str), stdout=out or subprocess.DEVNULL,
                         stderr=subprocess.STDOUT if out else subprocess.DEVNULL,
                         start_new_session=True, **kw)
    PROCS.append(p)
    return p


def kill(p, sig=signal.SIGTERM, wait=10):
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for h in list(HOSTS) + ["sw"]:
        run(f"ip netns del {ns(h)}", check=False)
    if os.environ.get("BENCH_KEEP"):
        print(f"kept {WORK}")
    else:
        run(["rm", "-rf", WORK], check=False)


# --- the lab ---------------------------------------------------------------------------------

def addr(seg, last):
    return f"198.18.{seg}.{last}"


def vip(seg, vrid):
    return addr(seg, 100 + vrid)  # 198.18.S.101 .. .200


def build_lab():
    run(f"ip netns add {ns('sw')}")
    cmds = {ns("sw"): ["link set lo up"]}
    for h in HOSTS:
        run(f"ip netns add {ns(h)}")
        cmds[ns(h)] = ["link set lo up"]
    for seg in [0, *SEGMENTS]:
        cmds[ns("sw")] += [f"link add br{seg} type bridge", f"link set br{seg} up"]
        for h, last in HOSTS.items():
            run(f"ip link add {h}{seg} netns {ns('sw')} type veth peer name eth{seg} "
                f"netns {ns(h)}")
            cmds[ns("sw")] += [f"link set {h}{seg} master br{seg}", f"link set {h}{seg} up"]
            cmds[ns(h)] += [f"addr add {addr(seg, last)}/24 dev eth{seg}",
                            f"link set eth{seg} up"]
    for n, lines in cmds.items():
        subprocess.run(["ip", "-n", n, "-batch", "-"], input="\n".join(lines) + "\n",
                       text=True, check=True)
    for h in HOSTS:
        run(in_ns(h, "sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv6.conf.all.disable_ipv6=1"))


def set_links(host, up, segments):
    lines = [f"link set {host}{s} {'up' if up else 'down'}" for s in segments]
    subprocess.run(["ip", "-n", ns("sw"), "-batch", "-"], input="\n".join(lines) + "\n",
                   text=True, check=True)


def vips_on(host):
    """The lab's VIPs on `host`: its 198.18.x.y addresses other than the hosts' own."""
    out = run(["ip", "-n", ns(host), "-o", "-4", "addr", "show"]).stdout
    own = {str(last) for last in HOSTS.values()}
    return {a for a in re.findall(r"inet (198\.18\.\d+\.\d+)/", out)
            if a.rsplit(".", 1)[1] not in own}


def wait_for(cond, timeout, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


# --- the daemons -----------------------------------------------------------------------------

def instances(segments, per_segment, interval):
    """(name, interface, vrid, vip) for every instance."""
    for seg in segments:
        for vrid in range(1, per_segment + 1):
            yield (f"s{seg}v{vrid}", f"eth{seg}", vrid, vip(seg, vrid) if seg else addr(0, 1))


def vipd_conf(priority, insts, interval, extra_global="", prio_of=None):
    lines = ["global = { garp_count = 1; graceful_handover = true; %s };" % extra_global,
             "instances = ("]
    body = []
    for name, iface, vrid, v in insts:
        p = prio_of(name) if prio_of else priority
        auth = (f'auth_hmac = {{ keys = ( {{ id = 1; key = "{HMAC_KEY}"; }} ); }}; '
                if HMAC_KEY else "")
        body.append(f'  {{ name = "{name}"; interface = "{iface}"; vrid = {vrid}; '
                    f'priority = {p}; advert_interval = {interval}; {auth}'
                    f'addresses = [ "{v}/24" ]; }}')
    return "\n".join(lines) + "\n" + ",\n".join(body) + "\n);\n"


def keepalived_conf(priority, insts, interval, extra_global="", prio_of=None):
    out = ["global_defs {", f"  router_id {PFX}", "  vrrp_version 3",
           "  vrrp_garp_master_repeat 1", "  vrrp_garp_master_delay 0",
           "  vrrp_garp_master_refresh 0", "  vrrp_garp_interval 0", "  vrrp_gna_interval 0",
           extra_global, "}"]
    for name, iface, vrid, v in insts:
        p = prio_of(name) if prio_of else priority
        out += [f"vrrp_instance {name} {{", "  state BACKUP", f"  interface {iface}",
                f"  virtual_router_id {vrid}", f"  priority {p}", f"  advert_int {interval}",
                f"  virtual_ipaddress {{\n    {v}/24\n  }}"]
        if HMAC_KEY:
            out += ["  auth_hmac {", f"    key 1 {HMAC_KEY}", "    active_key 1", "  }"]
        out += ["}"]
    return "\n".join(out) + "\n"


class Daemon:
    """One vipd or keepalived in a lab host."""

    def __init__(self, kind, host, conf):
        self.kind, self.host = kind, host
        self.dir = os.path.join(WORK, f"{kind}-{host}")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "conf")
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.write(conf)
        self.proc = None
        self.wrap, self.args = [], []  # a command vipd runs under; extra vipd arguments

    def write(self, conf):
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        if self.kind == "vipd":
            cmd = self.wrap + [VIPD, "-f", self.conf, "--runtime-dir", self.dir,
                               "--log-level", "info"] + self.args
        else:
            for f in ("main.pid", "vrrp.pid"):
                if os.path.exists(os.path.join(self.dir, f)):
                    os.unlink(os.path.join(self.dir, f))
            # (The auth_hmac build rejects -P; it has no virtual servers to run anyway.)
            cmd = [KEEPALIVED, "-n", "-l", "-G"] + ([] if HMAC_KEY else ["-P"]) + ["-f", self.conf,
                   "-p", os.path.join(self.dir, "main.pid"),
                   "-r", os.path.join(self.dir, "vrrp.pid")]
        self.started = time.time()
        self.proc = spawn(["ip", "netns", "exec", ns(self.host)] + cmd, out=self.log)
        return self

    def pids(self):
        """The processes doing the work: vipd, or keepalived's parent and VRRP child."""
        if self.kind == "vipd":
            return [self.proc.pid]
        pids = [self.proc.pid]
        try:
            with open(os.path.join(self.dir, "vrrp.pid")) as f:
                pids.append(int(f.read()))
        except (OSError, ValueError):
            pass
        return pids

    def stop(self, wait=15):
        if self.proc:
            kill(self.proc, signal.SIGTERM, wait)
            self.proc = None


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def memory(pids):
    """(RSS, PSS) in KiB, summed over the processes."""
    rss = pss = 0
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return rss, pss


# --- packet capture --------------------------------------------------------------------------

def capture(host, iface, path, extra=""):
    return spawn(in_ns(host, f"tcpdump -i {iface} -n -s 96 -B 16384 -w {path} {extra} ip proto 112"))


def read_pcap(path):
    """(time, src, vrid, priority) of every VRRP packet in a pcap (Ethernet or Linux SLL)."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic, = struct.unpack("<I", data[:4])
    nano = magic == 0xA1B23C4D
    linktype, = struct.unpack("<I", data[20:24])
    hdr = {1: 14, 113: 16}.get(linktype, 14)
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ip = pkt[hdr:]
        if len(ip) < 28 or ip[9] != 112:
            continue
        ihl = (ip[0] & 0x0F) * 4
        vr = ip[ihl:]
        src = ".".join(str(b) for b in ip[12:16])
        out.append((sec + frac / (1e9 if nano else 1e6), src, vr[1], vr[2]))
    return out


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# --- scenarios -------------------------------------------------------------------------------

RESULTS = {}  # (scenario, metric) -> {kind: value}


def record(scenario, metric, kind, value):
    RESULTS.setdefault((scenario, metric), {})[kind] = value
    log(f"  {kind:10} {scenario}/{metric}: {value}")


def conf_for(kind, *args, **kw):
    return (vipd_conf if kind == "vipd" else keepalived_conf)(*args, **kw)


def big_lab(kind, interval=0.1):
    insts = list(instances(SEGMENTS, PER_SEGMENT, interval))
    m = Daemon(kind, "m", conf_for(kind, 200, insts, interval)).start()
    time.sleep(0.2)
    b = Daemon(kind, "b", conf_for(kind, 100, insts, interval)).start()
    if not wait_for(lambda: len(vips_on("m")) == len(insts), 60, 0.2):
        raise RuntimeError(f"{kind}: m holds {len(vips_on('m'))} of {len(insts)} VIPs")
    return m, b, insts


def steady_cpu(roles, args):
    """CPU of each role (name -> function giving its pids), % of a core: the median of three
    20 s windows (one of 8 s with --quick). Single windows vary by +-10% run to run."""
    windows = 1 if args.quick else 3
    seconds = 8 if args.quick else 20
    samples = {r: [] for r in roles}
    for _ in range(windows):
        before = {r: cpu_ticks(pids()) for r, pids in roles.items()}
        start = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - start
        for r, pids in roles.items():
            samples[r].append((cpu_ticks(pids()) - before[r]) / CLK_TCK / elapsed * 100)
    for r, s in samples.items():
        log(f"  {r} CPU windows: {', '.join(f'{x:.2f}' for x in s)}")
    return {r: round(sorted(s)[len(s) // 2], 2) for r, s in samples.items()}


def floor(args):
    """The floor under both daemons: vrrp-floor sending the same 10,000 adverts/s from m and
    draining them on b every 5 ms, with no protocol work at all."""
    log("floor: vrrp-floor, 1000 adverts every 100 ms")
    ifaces = [f"eth{s}" for s in SEGMENTS]
    # Not through a shell: the pid measured must be vrrp-floor's (ip netns exec execs it).
    recv = spawn(["ip", "netns", "exec", ns("b"), FLOOR, "recv"] + ifaces)
    send = spawn(["ip", "netns", "exec", ns("m"), FLOOR, "send", "--per", str(PER_SEGMENT),
                  "--interval-ms", "100"] + ifaces)
    time.sleep(3)
    cpu = steady_cpu({"master": lambda: [send.pid], "backup": lambda: [recv.pid]}, args)
    for role in ("master", "backup"):
        record("steady", f"{role} CPU (% of a core)", "floor", cpu[role])
    kill(send)
    kill(recv)


def steady_and_mass(kind, args):
    """Steady-state CPU and memory of master and backup; then the mass failover."""
    log(f"{kind}: 1000 instances at 100 ms")
    t0 = time.time()
    m, b, insts = big_lab(kind)
    record("startup", "all 1000 VIPs on the master (s)", kind, round(time.time() - t0, 2))
    time.sleep(3)  # settle: announcements, backups learning the master
    if "steady" in args.only:
        cpu = steady_cpu({"master": m.pids, "backup": b.pids}, args)
        for d, role in ((m, "master"), (b, "backup")):
            record("steady", f"{role} CPU (% of a core)", kind, cpu[role])
            rss, pss = memory(d.pids())
            record("steady", f"{role} RSS (MiB)", kind, round(rss / 1024, 1))
            record("steady", f"{role} PSS (MiB)", kind, round(pss / 1024, 1))
    if "mass" in args.only:
        mon = os.path.join(WORK, f"{kind}-mass.txt")
        with open(mon, "w") as out:
            watcher = spawn(in_ns("b", "ip -ts -o -4 monitor address"), out=out)
        time.sleep(0.3)
        cut = time.time()
        set_links("m", False, SEGMENTS)
        ok = wait_for(lambda: len(vips_on("b")) == len(insts), 10, 0.05)
        kill(watcher)
        stamps = []
        with open(mon) as f:
            for line in f:
                mm = re.match(r"\[(\d{4}-\d\d-\d\dT[\d:.]+)\].*inet (198\.18\.\d+\.\d+)/", line)
                if mm and not line.split("]", 1)[1].lstrip().startswith("Deleted"):
                    stamps.append(time.mktime(time.strptime(mm.group(1)[:19], "%Y-%m-%dT%H:%M:%S"))
                                  + float("0" + mm.group(1)[19:]))
        if ok and len(stamps) >= len(insts):
            stamps.sort()
            record("mass", "last of 1000 VIPs on the backup after the cut (ms)", kind,
                   round((stamps[len(insts) - 1] - cut) * 1000, 1))
            record("mass", "first VIP (ms)", kind, round((stamps[0] - cut) * 1000, 1))
        else:
            record("mass", "last of 1000 VIPs on the backup after the cut (ms)", kind,
                   f"incomplete ({len(vips_on('b'))})")
        set_links("m", True, SEGMENTS)
    if "reload" in args.only:
        reload_one(kind, m, insts, args)
    m.stop()
    b.stop()


def reload_one(kind, m, insts, args):
    """SIGHUP with one instance's priority changed: the first advert carrying it."""
    wait_for(lambda: len(vips_on("m")) == len(insts), 20, 0.2)
    time.sleep(2)
    target = "s1v1"
    m.write(conf_for(kind, 200, insts, 0.1, prio_of=lambda n: 210 if n == target else 200))
    pcap = os.path.join(WORK, f"{kind}-reload.pcap")
    cap = capture("c", "eth1", pcap)
    mon_path = os.path.join(WORK, f"{kind}-reload-addr.txt")
    with open(mon_path, "w") as out:
        mon = spawn(in_ns("m", "ip -o -4 monitor address"), out=out)
    time.sleep(1)
    sent = time.time()
    os.kill(m.proc.pid, signal.SIGHUP)  # ip netns exec execs the daemon: same pid
    time.sleep(3)
    kill(cap, signal.SIGINT)
    kill(mon)
    adverts = [t for t, src, vrid, prio in read_pcap(pcap)
               if src == addr(1, 11) and vrid == 1 and prio == 210 and t >= sent]
    record("reload", "first advert with the new priority after SIGHUP (ms)", kind,
           round((adverts[0] - sent) * 1000, 1) if adverts else "none")
    with open(mon_path) as f:
        deleted = sum(1 for line in f if line.startswith("Deleted"))
    record("reload", "VIPs deleted during the reload", kind, deleted)


def startup(kind, args):
    """From exec to the first advert of each of 1000 instances (a lone master)."""
    insts = list(instances(SEGMENTS, PER_SEGMENT, 0.1))
    pcaps = []
    caps = []
    for seg in SEGMENTS:
        p = os.path.join(WORK, f"{kind}-start{seg}.pcap")
        pcaps.append(p)
        caps.append(capture("c", f"eth{seg}", p))
    time.sleep(1)
    m = Daemon(kind, "m", conf_for(kind, 200, insts, 0.1)).start()
    t0 = m.started
    wait_for(lambda: len(vips_on("m")) == len(insts), 60, 0.2)
    time.sleep(1)
    for c in caps:
        kill(c, signal.SIGINT)
    first = {}
    for p in pcaps:
        for t, src, vrid, prio in read_pcap(p):
            key = (src, vrid)
            if src.endswith(".11") and key not in first:
                first[key] = t
    if len(first) == len(insts):
        last = (max(first.values()) - t0) * 1000
        record("startup", "first advert of all 1000 after exec (ms)", kind, round(last, 1))
        # RFC 9568 6.4.1: a router that does not own the addresses starts as Backup and
        # may advertise only after Master_Down_Interval; what either daemon adds is the rest.
        mdi = 3 * 100 + (256 - 200) * 100 / 256
        record("startup", f"... of which beyond the RFC's wait (MDI {mdi:.1f} ms)", kind,
               round(last - mdi, 1))
        record("startup", "first advert of the first instance after exec (ms)", kind,
               round((min(first.values()) - t0) * 1000, 1))
    else:
        record("startup", "first advert of all 1000 after exec (ms)", kind,
               f"only {len(first)}")
    m.stop()


def as_unit():
    """(wrapper, arguments) that start vipd as the packaged unit does (etc/vipd.service.in):
    its LimitRTPRIO, LimitRTTIME and LimitMEMLOCK (where this machine lets them be raised),
    and ExecStart's options (--realtime-priority, --lock-memory)."""
    unit = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../etc/vipd.service.in")
    keys = {}
    with open(unit) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                keys[k] = v
    limits = []
    if "LimitRTPRIO" in keys:
        limits.append("--rtprio=" + keys["LimitRTPRIO"])
    if "LimitRTTIME" in keys:
        scale = {"ms": 1000, "s": 1000000, "": 1}
        us = [int(m.group(1)) * scale[m.group(2)]
              for m in (re.fullmatch(r"(\d+)(ms|s|)", x) for x in keys["LimitRTTIME"].split(":"))]
        limits.append("--rttime=" + ":".join(map(str, us)))
    if "LimitMEMLOCK" in keys:
        size = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
        b = [int(x[:-1]) * size[x[-1]] for x in keys["LimitMEMLOCK"].split(":")]
        limits.append("--memlock=" + ":".join(map(str, b)))
    # Raising a limit takes CAP_SYS_RESOURCE, which some machines' root lacks; vipd, as root
    # here, then uses CAP_SYS_NICE and CAP_IPC_LOCK, which the unit does not give it.
    kept = []
    for limit in limits:
        if subprocess.run(["prlimit", limit, "true"], capture_output=True).returncode == 0:
            kept.append(limit)
        else:
            print(f"note: cannot apply prlimit {limit} here")
    wrap = ["prlimit"] + kept + ["--"] if kept else []
    words = keys.get("ExecStart", "").split()
    args = []
    for i, w in enumerate(words):
        if w == "--realtime-priority":
            args += [w, words[i + 1]]
        elif w == "--lock-memory":
            args.append(w)
    return wrap, args


def one_pair(kind, interval, extra_global="", unit=False):
    """One instance on segment 0: m (priority 200) master, b (100) backup, settled. `unit`:
    vipd started as the packaged unit starts it."""
    insts = [("one", "eth0", 1, addr(0, 1))]
    m = Daemon(kind, "m", conf_for(kind, 200, insts, interval, extra_global=extra_global))
    b = Daemon(kind, "b", conf_for(kind, 100, insts, interval, extra_global=extra_global))
    if unit and kind == "vipd":
        m.wrap, m.args = b.wrap, b.args = as_unit()
    m.start()
    time.sleep(0.2)
    b.start()
    wait_for(lambda: addr(0, 1) in vips_on("m"), 10)
    time.sleep(1)
    return m, b


def single(kind, args):
    """One instance at 10 ms adverts: client-visible outage of a hard failover."""
    reps = 10 if args.quick else 30
    m, b = one_pair(kind, 0.01)
    gaps = []
    tries = 0
    while len(gaps) < reps and tries < 3 * reps:
        tries += 1
        prober = probe("c", addr(0, 1), 0.0005, 0.8)
        time.sleep(0.3)
        cut = time.monotonic()
        set_links("m", False, [0])
        outage = outage_around(probe_result(prober)[3], cut)
        if outage is not None:
            gaps.append(outage)
        set_links("m", True, [0])
        wait_for(lambda: addr(0, 1) not in vips_on("b") and addr(0, 1) in vips_on("m"), 3, 0.01)
        time.sleep(1.5)  # settled: announcements done, the client's ARP entry confirmed
    record("single", "outage p50 (ms)", kind, round(pct(gaps, 50), 1))
    record("single", "outage p99 (ms)", kind, round(pct(gaps, 99), 1))
    record("single", "outage max (ms)", kind, round(max(gaps), 1))
    record("single", "theory: Master_Down_Interval (ms)", kind, 36.1)
    m.stop()
    b.stop()


# A steady prober: ICMP echo every INTERVAL s for DURATION s whatever the replies (ping
# slows down while it gets none, which blurs an outage); prints "sent received gap_ms".
PROBER = r"""
import os, select, socket, struct, sys, time
dst, interval, duration = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident = os.getpid() & 0xFFFF
def checksum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF); t += t >> 16
    return ~t & 0xFFFF
replies, seq = [], 0
start = time.monotonic(); due = start
while True:
    now = time.monotonic()
    if now >= start + duration:
        break
    if now >= due:
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq & 0xFFFF) + b"vipd-bench-probe"
        s.sendto(hdr[:2] + struct.pack("!H", checksum(hdr)) + hdr[4:], (dst, 0))
        seq += 1
        due += interval
    r, _, _ = select.select([s], [], [], max(0.0, due - time.monotonic()))
    if r:
        data = s.recv(2048)
        icmp = data[(data[0] & 15) * 4:]
        if icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == ident:
            replies.append(time.monotonic())
gap = max((b - a for a, b in zip(replies, replies[1:])), default=float("nan"))
print(seq, len(replies), round(gap * 1000, 2))
print(" ".join("%.6f" % t for t in replies))
"""


def probe(host, dst, interval, duration):
    """Starts the prober; finish with probe_result()."""
    return subprocess.Popen(["ip", "netns", "exec", ns(host), "python3", "-c", PROBER, dst,
                             str(interval), str(duration)], stdout=subprocess.PIPE, text=True)


def probe_result(p):
    """(sent, received, longest gap in ms, reply times on the monotonic clock)."""
    out, _ = p.communicate(timeout=60)
    lines = out.splitlines()
    sent, got, gap = lines[0].split()
    times = [float(t) for t in lines[1].split()] if len(lines) > 1 else []
    return int(sent), int(got), float(gap), times


def outage_around(times, cut):
    """The longest silence between replies that ends after `cut` (the moment the cut was
    started: it takes effect a few ms later), in ms. None when the VIP was not answering
    before the cut (the lab had not settled) or never answered after it."""
    if not any(t <= cut for t in times) or not any(t > cut for t in times):
        return None
    return max((b - a) * 1000 for a, b in zip(times, times[1:]) if b > cut)


def precision(kind, args, mode):
    """10 ms adverts with both cores saturated: interval deviation and spurious flips.
    mode: "" as started by hand with no settings; "rt": realtime and locked memory in the
    configuration; "unit": as each daemon's packaged unit starts it with no settings
    (vipd's etc/vipd.service.in; Debian's keepalived.service sets nothing of the kind)."""
    secs = 15 if args.quick else 60
    extra = ""
    if mode == "rt":
        extra = ("realtime_priority = 50; lock_memory = true;" if kind == "vipd"
                 else "  vrrp_rt_priority 50\n  vrrp_no_swap")
    m, b = one_pair(kind, 0.01, extra, unit=mode == "unit")
    before = transitions(m) + transitions(b)
    hogs = [spawn(["sh", "-c", "while :; do :; done"]) for _ in range(4)]
    pcap = os.path.join(WORK, f"{kind}-prec.pcap")
    cap = capture("c", "eth0", pcap)
    time.sleep(secs)
    kill(cap, signal.SIGINT)
    for h in hogs:
        kill(h, signal.SIGKILL)
    times = [t for t, src, vrid, prio in read_pcap(pcap) if src == addr(0, 11)]
    dev = [abs((b2 - a2) * 1000 - 10) for a2, b2 in zip(times, times[1:])]
    label = {"": "", "rt": " (rt)", "unit": " (packaged unit)"}[mode]
    record("precision", f"interval deviation p99 (ms){label}", kind, round(pct(dev, 99), 2))
    record("precision", f"interval deviation max (ms){label}", kind,
           round(max(dev), 2) if dev else "none")
    record("precision", f"spurious transitions{label}", kind,
           transitions(m) + transitions(b) - before)
    m.stop()
    b.stop()


def transitions(d):
    with open(os.path.join(d.dir, "log")) as f:
        text = f.read()
    if d.kind == "vipd":
        return len(re.findall(r"-> (MASTER|BACKUP|FAULT)", text))
    return len(re.findall(r"Entering (MASTER|BACKUP|FAULT) STATE", text))


def handover(kind, args):
    """Planned switchover at 100 ms adverts, pinging every 1 ms: probes lost."""
    m, b = one_pair(kind, 0.1)
    prober = probe("c", addr(0, 1), 0.001, 1.5)
    time.sleep(0.5)
    m.stop()  # SIGTERM: vipd hands over (graceful_handover), keepalived sends priority 0
    sent, got, gap, _ = probe_result(prober)
    record("handover", "probes lost at 1 ms (SIGTERM of the master)", kind, sent - got)
    record("handover", "longest gap (ms)", kind, gap)
    b.stop()


def table():
    """vipd, keepalived, their ratio; and for the CPU rows the floor (vrrp-floor) and the
    ratio the target would need (keepalived x target) next to what the floor allows."""
    print()
    print(f"{'scenario / metric':66} {'vipd':>10} {'keepalived':>11} {'ratio':>7} "
          f"{'floor':>7} {'floor/k':>8}")
    for (scenario, metric), values in RESULTS.items():
        v, k, f = (values.get(x, "-") for x in ("vipd", "keepalived", "floor"))
        num = (int, float)
        ratio = f"{v / k:.2f}" if isinstance(v, num) and isinstance(k, num) and k else ""
        fk = f"{f / k:.2f}" if isinstance(f, num) and isinstance(k, num) and k else ""
        f = "" if f == "-" else f
        print(f"{scenario + ' / ' + metric:66} {v!s:>10} {k!s:>11} {ratio:>7} {f!s:>7} {fk:>8}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="steady,mass,reload,startup,single,precision,handover")
    ap.add_argument("--quick", action="store_true", help="shorter windows, fewer repetitions")
    ap.add_argument("--daemons", default="vipd,keepalived")
    ap.add_argument("--precision-modes", default="plain,rt,unit",
                    help="precision: as started by hand, realtime by configuration, as the "
                         "packaged unit starts each daemon")
    ap.add_argument("--auth-hmac", action="store_true",
                    help="every instance signs and checks its adverts (auth_hmac)")
    args = ap.parse_args()
    args.only = set(args.only.split(","))
    if args.auth_hmac:
        global HMAC_KEY, KEEPALIVED
        HMAC_KEY = "hex:" + "5a" * 32
        built = sorted(glob.glob("/var/cache/vipd-peers/keepalived-auth-hmac-*/sbin/keepalived"))
        KEEPALIVED = os.environ.get("KEEPALIVED_HMAC", built[-1] if built else "")
        if "keepalived" in args.daemons and not KEEPALIVED:
            sys.exit("--auth-hmac: no keepalived with auth_hmac (run tests/interop/"
                     "keepalived_hmac.sh once, or set KEEPALIVED_HMAC)")
    if os.geteuid() != 0:
        sys.exit("bench.py needs root (network namespaces)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        build_lab()
        if "steady" in args.only:
            floor(args)
        for kind in args.daemons.split(","):
            if args.only & {"steady", "mass", "reload"}:
                steady_and_mass(kind, args)
            if "startup" in args.only:
                startup(kind, args)
            if "single" in args.only:
                single(kind, args)
            if "precision" in args.only:
                for mode in args.precision_modes.split(","):
                    precision(kind, args, "" if mode == "plain" else mode)
            if "handover" in args.only:
                handover(kind, args)
        table()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
