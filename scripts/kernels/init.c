/* /init of the kernel-matrix guest (scripts/kernels/run.sh). Static C,
 * `gcc -static -O2`. It
 *   - mounts proc, sysfs, devtmpfs, a tmpfs on /scratch (TMPDIR, HOME) and
 *     /dev/shm; not on /tmp, where the initramfs may hold the repository
 *     itself (a checkout under /tmp keeps its absolute paths here),
 *   - brings `lo` up (the kernel gives it 127.0.0.1 and ::1),
 *   - runs /kt/probe, then every test binary listed in /kt/list
 *     ("NAME<TAB>PATH<TAB>CWD" lines) with `--test-threads 1`, one after
 *     another, each in its own process group, SIGKILLed after
 *     URING_BIN_TIMEOUT seconds,
 *   - writes the binaries' output (past URING_OUTPUT_CAP bytes, default
 *     1 MiB, only libtest's verdict lines) and its own markers to /dev/ttyS1 (the
 *     second serial port; the kernel's console is ttyS0, so kernel messages
 *     never split a test's line):
 *       @@ run NAME
 *       @@ end NAME exit=N|signal=N|timeout secs=S
 *       @@ dropped N bytes of output past CAP
 *       @@ done
 *   - then reboots, which qemu -no-reboot turns into its exit.
 * Settings come from the kernel command line: `KEY=VALUE` words the kernel
 * does not know are passed to init as environment (URING_TEST_SCALE,
 * URING_TEST_TIMEOUT, URING_BIN_TIMEOUT), and inherited by the tests.
 * Called as `true` (/bin/true in the initramfs), it exits 0: a test spawns
 * `true`, and the guest has no coreutils. Called as `cargo` (/bin/cargo) it
 * is a stand-in for the one cargo command a test runs,
 * `cargo build -p nostd-cat --profile min-size` with CARGO_TARGET_DIR
 * (tests/nostd_cat.rs): it copies the nostd-cat the host built with that
 * very command (/kt/nostd-cat) to CARGO_TARGET_DIR/min-size/nostd-cat;
 * any other cargo command fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *out; /* the test output port */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void lo_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &r) < 0) { fprintf(out, "@@ warn lo: %s\n", strerror(errno)); return; }
    r.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &r) < 0) fprintf(out, "@@ warn lo up: %s\n", strerror(errno));
    close(s);
}

/* Output of the running binary: forwarded line by line to `out` until
 * `cap` bytes; past that only lines libtest's verdicts live on ("test ...",
 * a lone "ok"/"FAILED"/"ignored..."), so a test dumping megabytes (a
 * proptest failure prints every shrink step's panic) cannot spend the
 * guest's time on the serial port. Dropped bytes are counted. */
static char lbuf[8192];
static size_t llen, sent, dropped, cap;

static void emit_line(int final_piece) {
    int keep = sent < cap || (llen >= 5 && memcmp(lbuf, "test ", 5) == 0)
        || (llen >= 2 && memcmp(lbuf, "ok", 2) == 0) || (llen >= 6 && memcmp(lbuf, "FAILED", 6) == 0)
        || (llen >= 7 && memcmp(lbuf, "ignored", 7) == 0);
    if (keep) { fwrite(lbuf, 1, llen, out); sent += llen; }
    else dropped += llen;
    (void)final_piece;
    llen = 0;
}

static void feed(const char *b, ssize_t n) {
    for (ssize_t i = 0; i < n; i++) {
        lbuf[llen++] = b[i];
        if (b[i] == '\n' || llen == sizeof lbuf) emit_line(0);
    }
}

/* Runs PATH in CWD with `--test-threads 1` (none for the probe) and
 * prints the end marker. Reaps any other child (init adopts orphans). */
static void run(const char *name, const char *path, const char *cwd, int test, int limit) {
    fprintf(out, "@@ run %s\n", name);
    fflush(out);
    double t0 = now();
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { fprintf(out, "@@ pipe: %s\n", strerror(errno)); return; }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int n = open("/dev/null", O_RDONLY);
        dup2(n, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        if (cwd[0] && chdir(cwd) < 0) chdir("/scratch");
        char *argv[] = {(char *)path, test ? "--test-threads" : NULL, "1", NULL};
        execv(path, argv);
        fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(p[1]);
    llen = sent = dropped = 0;
    int st = 0, timed_out = 0, exited = 0, eof = 0;
    double exited_at = 0;
    char buf[65536];
    /* Until the child is reaped and its output drained (EOF, or 2 s after
     * its exit if a grandchild still holds the pipe). */
    while (!exited || (!eof && now() - exited_at < 2)) {
        struct pollfd pf = {p[0], POLLIN, 0};
        if (!eof && poll(&pf, 1, 20) > 0) {
            ssize_t n = read(p[0], buf, sizeof buf);
            if (n > 0) feed(buf, n);
            else eof = 1;
        } else if (eof) {
            usleep(20000);
        }
        pid_t w;
        int ws;
        while ((w = waitpid(-1, &ws, WNOHANG)) > 0) {
            if (w == pid) { st = ws; exited = 1; exited_at = now(); }
        }
        if (!exited && !timed_out && now() - t0 > limit) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            timed_out = 1;
        }
    }
    if (llen) emit_line(1);
    close(p[0]);
    kill(-pid, SIGKILL); /* leftovers of the group */
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    char how[64];
    if (timed_out) snprintf(how, sizeof how, "timeout");
    else if (WIFSIGNALED(st)) snprintf(how, sizeof how, "signal=%d", WTERMSIG(st));
    else snprintf(how, sizeof how, "exit=%d", WEXITSTATUS(st));
    if (dropped) fprintf(out, "\n@@ dropped %zu bytes of output past %zu\n", dropped, cap);
    fprintf(out, "\n@@ end %s %s secs=%.1f\n", name, how, now() - t0);
    fflush(out);
}

static void mkdirs(char *path) {
    for (char *p = path + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(path, 0755); *p = '/'; }
    mkdir(path, 0755);
}

static int fake_cargo(int argc, char **argv) {
    int nostd_cat = 0;
    for (int i = 1; i < argc; i++) nostd_cat |= strcmp(argv[i], "nostd-cat") == 0;
    const char *t = getenv("CARGO_TARGET_DIR");
    if (!nostd_cat || !t || strcmp(argv[1], "build") != 0) {
        fprintf(stderr, "cargo: not in the kernel-matrix guest (only `cargo build -p nostd-cat` is stood in for)\n");
        return 101;
    }
    char dir[4096], dst[4200];
    snprintf(dir, sizeof dir, "%s/min-size", t);
    mkdirs(dir);
    snprintf(dst, sizeof dst, "%s/nostd-cat", dir);
    int in = open("/kt/nostd-cat", O_RDONLY), o = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char b[65536];
    ssize_t n;
    if (in < 0 || o < 0) { perror("cargo stand-in"); return 101; }
    while ((n = read(in, b, sizeof b)) > 0)
        if (write(o, b, n) != n) { perror("cargo stand-in"); return 101; }
    return close(o) == 0 ? 0 : 101;
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "true") == 0) return 0;
    if (strcmp(base, "cargo") == 0) return fake_cargo(argc, argv);

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mkdir("/dev/shm", 01777);
    mount("tmpfs", "/dev/shm", "tmpfs", 0, "mode=1777");
    mkdir("/scratch", 01777);
    mount("tmpfs", "/scratch", "tmpfs", 0, "mode=1777");
    mkdir("/tmp", 01777);
    out = fopen("/dev/ttyS1", "w");
    if (!out) out = fopen("/dev/console", "w");
    if (!out) out = stdout;
    setvbuf(out, NULL, _IOLBF, 0);
    setenv("PATH", "/bin", 1);
    setenv("HOME", "/scratch", 1);
    setenv("TMPDIR", "/scratch", 1);
    setenv("RUST_BACKTRACE", "0", 0);
    setenv("URING_TEST_SCALE", "10", 0);
    setenv("URING_TEST_TIMEOUT", "120", 0);
    /* A failing proptest case is reported at once, not shrunk: shrinking
     * thousands of steps under emulation costs minutes and changes no verdict. */
    setenv("PROPTEST_MAX_SHRINK_ITERS", "0", 0);
    setenv("URING_SMOKE_NOSTD_CAT", "/kt/nostd-cat", 0); /* cross/smoke's nostd_cat case */
    const char *l = getenv("URING_BIN_TIMEOUT");
    int limit = l ? atoi(l) : 300;
    const char *c = getenv("URING_OUTPUT_CAP");
    cap = c ? strtoul(c, NULL, 10) : 1 << 20;
    lo_up();

    fprintf(out, "@@ boot scale=%s test_timeout=%s bin_timeout=%d\n",
            getenv("URING_TEST_SCALE"), getenv("URING_TEST_TIMEOUT"), limit);
    run("probe", "/kt/probe", "/scratch", 0, 60);
    FILE *list = fopen("/kt/list", "r");
    char line[4096];
    while (list && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        char *name = strtok(line, "\t"), *path = strtok(NULL, "\t"), *cwd = strtok(NULL, "\t");
        if (!name || !path) continue;
        run(name, path, cwd ? cwd : "/scratch", 1, limit);
    }
    fprintf(out, "@@ done\n");
    fflush(out);
    sync();
    reboot(RB_AUTOBOOT);
    return 0;
}
