"""A real Postfix for the tests: Debian's package, run as a private instance under a scratch
folder, listening on a free loopback port and delivering to Maildirs the tests read.

    from tests.mta import Postfix, postfix  # noqa: F401 -- postfix: the module-scoped fixture

    def test_it(postfix: Postfix) -> None:  # noqa: F811 -- the fixture, as pytest passes it
        with smtplib.SMTP(postfix.host, postfix.port) as smtp: ...
        [letter] = postfix.wait_for("ana", 1)

The instance knows one domain, agency.test, whose mail Postfix's virtual(8) agent delivers to
the Maildir `<root>/maildirs/agency.test/`, one copy per recipient with the recipient in its
Delivered-To and X-Original-To headers; `maildir("ana")` is what ana@agency.test received, and
`maildir("bounces")` what went to any `bounces+TOKEN@agency.test`, the token still in those
headers. (One Maildir, not one per local part: see MAILBOXES.) It answers like a real agency's
server would:

- `nosuch…@agency.test` is an unknown user: 550 5.1.1 at RCPT;
- `busy…@agency.test` is refused for now: 450 4.2.1 at RCPT;
- `…@gone.test` is relayed (the client is in mynetworks) and then bounced by Postfix's error(8)
  transport with 5.1.1: Postfix itself sends the sender a delivery status notification
  (multipart/report), the "relayed bounce" a remote server would send hours later;
- any other domain is refused at RCPT (550 5.7.1), and what Postfix itself would send there
  (a notification to an outside sender) is bounced by error(8): nothing leaves the machine.

Everything the instance has is under its root: its config_directory (`etc/`, main.cf and
master.cf written here), queue_directory (`spool/`), data_directory (`data/`), its log
(`postfix.log`, through postlogd(8)) and the Maildirs; so two instances (two pytest-xdist
workers) run side by side. It is started the way Postfix's own documentation manages another
instance by hand (postfix-wrapper(5)): `postfix -c <config_directory> start`, no change to
/etc/postfix and no multi-instance manager. `python3 scripts/dev.py test` installs Debian's
postfix (with debconf's "No configuration", so the machine gets no mail set-up of its own);
where it is missing, the tests that use the fixture are skipped, saying why.
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

POSTFIX = Path("/usr/sbin/postfix")
POSTQUEUE = Path("/usr/sbin/postqueue")
DOMAIN = "agency.test"
GONE = "gone.test"
# the queue's own folders: a message is in one of them until it is delivered or bounced
QUEUES = ("maildrop", "incoming", "active", "deferred", "hold")

# The instance's main.cf. Every path is the instance's own; `{…}` are filled in by the class
# (str.format), `$name` by Postfix.
MAIN_CF = """\
# written by tests/mta.py: a private Postfix instance for the tests, nothing else
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
# the log goes to a file of the instance (postlogd), not to a syslog the machine may lack
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}

myhostname = mx.{domain}
mydomain = {domain}
# unqualified names (postmaster, MAILER-DAEMON's notices) are mailboxes of agency.test
myorigin = {domain}
# nothing is delivered by local(8) and there are no aliases: every domain is named below
mydestination =
local_transport = error:5.1.1 local delivery is off in this test instance
alias_maps =
alias_database =

# one listener, written in master.cf; IPv4 loopback only
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

# no DNS anywhere: not for the client's name (which smtpd would look up and verify), nor
# for a next hop (there is no smtp client in master.cf; this is in case one is added)
smtpd_peername_lookup = no
smtp_dns_support_level = disabled

# agency.test: Maildirs under {root}/maildirs, owned by a non-root user (virtual(8)
# refuses uids below virtual_minimum_uid); the tests run as root and read them all
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {root}/maildirs
virtual_mailbox_maps = regexp:{root}/etc/mailboxes
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = {uid}
recipient_delimiter = +

# gone.test, and every other domain, are bounced here by error(8): nothing leaves the machine
# (relay_domains is empty at this compatibility_level: relaying is for mynetworks alone)
transport_maps = regexp:{root}/etc/transport
default_transport = error:5.7.1 this test instance delivers only to {domain}
relay_transport = $default_transport

# the client on 127.0.0.1 may relay; what each recipient gets at RCPT is in etc/recipients.
# Not smtpd_reject_unlisted_recipient: it would also refuse gone.test at RCPT, as smtpd
# refuses every address that resolves to the error transport; gone.test must be accepted
# and bounced afterwards
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access regexp:{root}/etc/recipients
smtpd_reject_unlisted_recipient = no
# a refused command is answered at once, not after the default second of sleep
smtpd_error_sleep_time = 0
in_flow_delay = 0

# short timers: a deferred message is retried within seconds, and at once on flush()
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
"""

# No chroot (column 5 `n`): the instance's paths are not inside a chroot jail, and setting
# one up per instance would cost time for nothing. The only inet service is smtpd on
# host:port; the rest are the internal services Postfix needs, as UNIX sockets in spool/.
MASTER_CF = """\
# service     type  private unpriv chroot wakeup maxproc command
{host}:{port} inet  n       -      n      -      -       smtpd
pickup        unix  n       -      n      60     1       pickup
cleanup       unix  n       -      n      -      0       cleanup
qmgr          unix  n       -      n      300    1       qmgr
rewrite       unix  -       -      n      -      -       trivial-rewrite
bounce        unix  -       -      n      -      0       bounce
defer         unix  -       -      n      -      0       bounce
trace         unix  -       -      n      -      0       bounce
verify        unix  -       -      n      -      1       verify
flush         unix  n       -      n      1000?  0       flush
proxymap      unix  -       -      n      -      -       proxymap
showq         unix  n       -      n      -      -       showq
error         unix  -       -      n      -      -       error
retry         unix  -       -      n      -      -       error
discard       unix  -       -      n      -      -       discard
virtual       unix  -       n      n      -      -       virtual
anvil         unix  -       -      n      -      1       anvil
scache        unix  -       -      n      -      1       scache
postlog       unix-dgram n  -      n      -      1       postlogd
"""

# virtual_mailbox_maps: every agency.test address but nosuch… exists, and all share one
# Maildir (the trailing slash makes it a Maildir); maildir() sorts them by Delivered-To.
# Not one folder per local part: virtual(8) opens its tables "paranoid", and a regexp rule
# with $1 in its result is skipped ("regular expression substitution is not allowed"), so a
# pattern cannot name a folder after the address. Regexp tables are read as they are: no
# postmap.
# bounces(+token)@ has a Maildir of its own, as casework's bounce address would (a fixed
# folder: no substitution needed), so casework reads only the reports there
MAILBOXES = """\
/^bounces(\\+[^@]*)?@{domain_re}$/  bounces/
if !/^nosuch/
/@{domain_re}$/  {domain}/
endif
"""

# check_recipient_access: busy… is refused for now; the rest of agency.test is looked up in
# virtual_mailbox_maps (nosuch… is not there: 550 5.1.1 User unknown); gone.test passes; any
# other domain is refused at once rather than bounced later
RECIPIENTS = """\
/^busy[^@]*@{domain_re}$/  450 4.2.1 Mailbox busy, try again later
/@{domain_re}$/  reject_unlisted_recipient
/@{gone_re}$/  DUNNO
/./  550 5.7.1 this test instance delivers only to {domain} and {gone}
"""

TRANSPORT = """\
/(^|@){gone_re}$/  error:5.1.1 mailbox gone
"""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the kernel's choice for port 0)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def missing_mta() -> str | None:
    """Why a private Postfix cannot run here, or None."""
    if not POSTFIX.exists():
        why = os.environ.get("CASEWORK_NO_MTA")  # set by scripts/dev.py when it could not install
        return why or (
            f"{POSTFIX} is missing: `python3 scripts/dev.py test` installs Debian's postfix as "
            "root (apt-get install -y --no-install-recommends postfix)"
        )
    if os.geteuid() != 0:
        return "a Postfix instance is started by root (its master drops to the postfix user)"
    return None


class Postfix:
    """One private Postfix instance, everything under `root` (an empty folder it owns)."""

    host = "127.0.0.1"

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = Path(root).resolve()
        self.port = port or free_port(self.host)
        self.config_directory = self.root / "etc"
        self.queue_directory = self.root / "spool"
        self.data_directory = self.root / "data"
        self.maildirs = self.root / "maildirs"
        self.mailbox = self.maildirs / DOMAIN  # the one Maildir of agency.test
        self.bounces = self.maildirs / "bounces"  # bounces(+token)@agency.test's
        self.log = self.root / "postfix.log"
        self._master_pid: int | None = None
        self._write_configuration()

    # -- set-up ---------------------------------------------------------------------------

    def _write_configuration(self) -> None:
        # delivery runs as `nobody`, which must reach the Maildirs: the root is opened to
        # others (mkdtemp made it 0700), and every folder above it must let them through
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        for folder in self.root.parents:
            if not folder.stat().st_mode & 0o001:
                raise ValueError(f"{folder} is not searchable by others: Postfix cannot deliver")
        user = pwd.getpwnam("nobody")
        uid, gid = user.pw_uid, grp.getgrgid(user.pw_gid).gr_gid
        self.config_directory.mkdir(exist_ok=True)
        self.queue_directory.mkdir(exist_ok=True)  # `postfix start` makes what is inside
        self.maildirs.mkdir(exist_ok=True)
        os.chown(self.maildirs, uid, gid)
        domain_re, gone_re = DOMAIN.replace(".", r"\."), GONE.replace(".", r"\.")
        files = {
            "main.cf": MAIN_CF.format(root=self.root, domain=DOMAIN, uid=uid, gid=gid),
            "master.cf": MASTER_CF.format(host=self.host, port=self.port),
            "mailboxes": MAILBOXES.format(domain_re=domain_re, domain=DOMAIN),
            "recipients": RECIPIENTS.format(
                domain_re=domain_re, gone_re=gone_re, domain=DOMAIN, gone=GONE
            ),
            "transport": TRANSPORT.format(gone_re=gone_re),
        }
        # Postfix waits, in 0.3 s naps, until a configuration file it reads was last changed
        # a couple of seconds ago (so as not to read one being edited): dated a minute back,
        # the files just written are read at once, and start() takes 0.2 s rather than 2.2 s
        settled = time.time() - 60
        for name, text in files.items():
            path = self.config_directory / name
            path.write_text(text)
            os.utime(path, (settled, settled))

    def _postfix(
        self, *arguments: str, command: Path = POSTFIX
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
        return subprocess.run(
            [str(command), "-c", str(self.config_directory), *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    # -- life -----------------------------------------------------------------------------

    def start(self, timeout: float = 10) -> None:
        """Start the instance (again, on the same port) and wait until smtpd greets."""
        if self.running():
            return
        done = self._postfix("start")
        if done.returncode != 0:
            raise RuntimeError(
                f"postfix -c {self.config_directory} start failed:\n"
                f"{done.stdout}{done.stderr}{self.log_tail()}"
            )
        pid_file = self.queue_directory / "pid" / "master.pid"
        self._master_pid = int(pid_file.read_text().split()[0])
        atexit.register(self.stop)  # a run cut short still leaves no Postfix behind
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(512).startswith(b"220"):
                        probe.sendall(b"QUIT\r\n")  # a polite goodbye, not an error in the log
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Postfix did not greet on port {self.port}{self.log_tail()}")
            time.sleep(0.02)

    def stop(self, timeout: float = 10) -> None:
        """Stop the instance and every process of it; its port then refuses connections.

        This is what `postfix stop` does (SIGTERM to the master, which takes its children
        with it), without its one-second polls; the master leads a process group of its own
        (it calls setsid), so whatever is left of that group afterwards is killed."""
        pid, self._master_pid = self._master_pid, None
        atexit.unregister(self.stop)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it died on its own
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _process_group(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        for straggler in _process_group(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(straggler, signal.SIGKILL)

    def restart(self) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        self.start()

    def running(self) -> bool:
        """Whether the master of this instance is alive."""
        return self._master_pid is not None and bool(_process_group(self._master_pid))

    # -- the queue ------------------------------------------------------------------------

    def flush(self) -> None:
        """Ask the queue manager to deliver every deferred message now (`postqueue -f`)."""
        done = self._postfix("-f", command=POSTQUEUE)
        if done.returncode != 0:
            raise RuntimeError(f"postqueue -f failed: {done.stdout}{done.stderr}")

    def queue_is_empty(self) -> bool:
        """Whether no message waits in any of the instance's queues."""
        return not any(
            path.is_file()
            for queue in QUEUES
            if (self.queue_directory / queue).is_dir()
            for path in (self.queue_directory / queue).rglob("*")
        )

    # -- the Maildirs ---------------------------------------------------------------------

    def messages(self) -> list[EmailMessage]:
        """Every message delivered to agency.test so far (new/ and cur/ of its Maildir and
        of the bounces Maildir), oldest first."""
        files = [
            path
            for box in (self.mailbox, self.bounces)
            for sub in ("new", "cur")
            if (box / sub).is_dir()
            for path in (box / sub).iterdir()
            if path.is_file()
        ]
        # a Maildir file is written whole in tmp/ and then renamed: what is here is complete
        files.sort(key=lambda path: (path.stat().st_mtime_ns, path.name))
        messages = []
        for path in files:
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            messages.append(parsed)
        return messages

    def maildir(self, localpart: str) -> list[EmailMessage]:
        """The messages delivered to `localpart@agency.test` so far, oldest first: those whose
        Delivered-To (the recipient virtual(8) delivered the copy for, added by it on top)
        has that local part, any +extension aside, case aside."""
        wanted = localpart.lower()
        return [message for message in self.messages() if _localpart(message) == wanted]

    def wait_for(self, localpart: str, count: int, timeout: float = 20) -> list[EmailMessage]:
        """The messages of `localpart`'s Maildir once there are at least `count` of them.

        Postfix delivers after it has answered the client, so a test polls; if they do not
        come in `timeout` seconds, the AssertionError says what did and what the log says."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.maildir(localpart)
            if len(messages) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if len(messages) < count:
            subjects = [str(message["Subject"]) for message in messages]
            raise AssertionError(
                f"{localpart}@{DOMAIN}: {len(messages)} of {count} messages after "
                f"{timeout} s {subjects}; queue empty: {self.queue_is_empty()}{self.log_tail()}"
            )
        return messages

    def log_tail(self, lines: int = 40) -> str:
        """The end of the instance's log, headed for an error message."""
        if not self.log.exists():
            return f"\n(no log at {self.log})"
        tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"\n--- last lines of {self.log} ---\n" + "\n".join(tail)


def _localpart(message: EmailMessage) -> str:
    """The local part, +extension left out, of the recipient a delivered copy is for."""
    recipient = str(message.get("Delivered-To", ""))
    return recipient.rpartition("@")[0].partition("+")[0].lower()


def _process_group(leader: int) -> list[int]:
    """The live processes of the group `leader` leads (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after it
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == leader and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.fixture(scope="module")
def postfix() -> Iterator[Postfix]:
    """A started private Postfix for the test module, stopped and removed after it."""
    why = missing_mta()
    if why:
        pytest.skip(why)
    # not pytest's tmp_path: delivery runs as `nobody`, who cannot pass pytest's 0700 base
    # folder, and the spool's UNIX socket paths must stay short
    root = Path(tempfile.mkdtemp(prefix="casework-postfix-"))
    instance = Postfix(root)
    try:
        instance.start()
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(root, ignore_errors=True)
