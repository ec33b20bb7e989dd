/* Signal, fork and wait helpers for tests/reliability.rs and tests/stress.rs
 * (the root package has no libc crate; bare-uring's syscalls cover only
 * what the library needs). */
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_long rel_signals;

static void rel_on_signal(int sig)
{
	(void)sig;
	atomic_fetch_add(&rel_signals, 1);
}

/* Installs a counting SIGUSR1 handler WITHOUT SA_RESTART, so a blocking
 * syscall the signal interrupts returns -EINTR. Returns 0 or -1. */
int rel_install_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rel_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

/* How many signals the handler has seen. */
long rel_signals_seen(void)
{
	return atomic_load(&rel_signals);
}

/* Sends `sig` to thread `tid` of this process. Returns 0 or -1. */
int rel_tgkill(int tid, int sig)
{
	return (int)syscall(SYS_tgkill, getpid(), tid, sig);
}

int rel_fork(void)
{
	return fork();
}

/* Waits for `pid`; returns its raw wait status, or -1. */
int rel_waitpid(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* The kernel's SIGUSR1 number on this target. */
int rel_sigusr1(void)
{
	return SIGUSR1;
}
