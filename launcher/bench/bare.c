/*
 * bare.c - what the bench measures shmsync against: the same counter loop
 * without the harness, pipe / POSIX mq / socketpair carrying the queue's
 * items, ping-pong hand-offs, and bare fork/exit/wait and pthread
 * create/join loops; and the limits: a bare cached-index SPSC ring and a
 * bare sense-reversing spin barrier.
 *
 * Workers share an anonymous MAP_SHARED mapping (no name, nothing to leave
 * behind), start together from a spinning gate, and time themselves as the
 * harness does: first start to last end.  Every check is the demo's: exact
 * counts, each item once and whole.  Workers are started and reaped by the
 * one spawner (spawn.c): forked ones die with the bench, and any still
 * blocked in the kernel at the run's deadline is killed.  See bench.h.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/futex.h"
#include "../../ipc/mutex.h"
#include "../../ipc/barrier.h"
#include "../../ipc/ring.h"
#include "../../ipc/sem.h"
#include "../../workers/item.h"
#include "bench.h"
#include "../run.h"
#include "../spawn.h"

#define GATE_CHECK	1024		/* spins between two looks at the clock */
#define SENTINEL	UINT64_MAX	/* the item that tells a consumer to stop */
#define MQ_SLOTS	10		/* Linux's default mq_maxmsg */

typedef int (*bare_fn)(void *, unsigned);

/* A worker's times, a cache line each. */
struct btime {
	alignas(CACHE_LINE) uint64_t t_start;
	uint64_t t_end;
};

/* The head of every bare run's mapping. */
struct bare_hdr {
	alignas(CACHE_LINE) atomic_uint arrived;	/* the start gate */
	struct timespec	 deadline;
	unsigned	 nworkers;
	struct btime	*times;
};

static void *
shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(1, "bench: mmap %zu bytes", size);
	return p;
}

/* Wait until every worker is here; then take the start time. */
static int
gate(struct bare_hdr *h, unsigned id)
{
	unsigned i;

	atomic_fetch_add(&h->arrived, 1);
	for (i = 1; atomic_load(&h->arrived) < h->nworkers; i++) {
		if (i % GATE_CHECK == 0) {
			if (ipc_expired(&h->deadline))
				return -1;
			sched_yield();
		}
		ipc_cpu_relax();
	}
	h->times[id].t_start = ipc_now_ns();
	return 0;
}

static void
stop_clock(struct bare_hdr *h, unsigned id)
{
	h->times[id].t_end = ipc_now_ns();
}

/* First start to last end, as the harness counts wall time. */
static uint64_t
wall_ns(const struct bare_hdr *h)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
	unsigned i;

	for (i = 0; i < h->nworkers; i++) {
		t0 = h->times[i].t_start < t0 ? h->times[i].t_start : t0;
		t1 = h->times[i].t_end > t1 ? h->times[i].t_end : t1;
	}
	return t1 > t0 ? t1 - t0 : 1;
}

/*
 * n parties running fn, threads or processes, through the one spawner, all
 * reaped by the deadline (processes past it are killed): 0 if every one
 * returned 0.  The parties gate themselves, so spawning is not timed.
 */
static int
bare_run(enum mode mode, unsigned n, bare_fn fn, void *arg,
    const struct timespec *deadline)
{
	struct spawn sp;
	int rc;

	run_launcher_only();	/* a worker's copy never runs a bench case */
	if ((rc = spawn_start(&sp, mode, n, fn, arg, NULL)) != 0) {
		/* The ones started wait at the gate for the rest: stop them. */
		spawn_kill(&sp);
		spawn_reap_all(&sp, ipc_ns_from_ts(deadline));
		errc(1, rc, "bench: %s %u of %u", mode == MODE_PROCESS ? "fork" :
		    "pthread_create", sp.started, n);
	}
	rc = spawn_reap_all(&sp, ipc_ns_from_ts(deadline));
	spawn_free(&sp);
	if (rc == ETIMEDOUT && mode == MODE_THREAD)
		errx(1, "bench: thread workers outlived the deadline");
	return rc == 0 ? 0 : -1;
}

/* A mapping with the header, the workers' times, then size bytes of state. */
static struct bare_hdr *
bare_map(unsigned nworkers, size_t size, const struct timespec *deadline,
    void **state, size_t *total)
{
	size_t hdr = (sizeof(struct bare_hdr) + CACHE_LINE - 1) / CACHE_LINE *
	    CACHE_LINE, times = nworkers * sizeof(struct btime);
	struct bare_hdr *h;

	*total = hdr + times + size;
	h = shared_map(*total);
	h->deadline = *deadline;
	h->nworkers = nworkers;
	h->times = (struct btime *)((char *)h + hdr);
	*state = (char *)h + hdr + times;
	return h;
}

/* The counter: the same lock/increment/unlock as workers/counter.c, no harness. */
enum { B_MUTEX = 1, B_SEM, B_SPIN, B_ATOMIC };

struct bcounter {
	alignas(CACHE_LINE) volatile uint64_t plain;
	alignas(CACHE_LINE) _Atomic uint64_t atomic;
	alignas(CACHE_LINE) pthread_mutex_t mutex;
	alignas(CACHE_LINE) pthread_spinlock_t spin;
	sem_t		*sem;
	struct bare_hdr	*h;
	int		 guard;
	uint64_t	 n;
};

static int
count_loop(struct bcounter *c, const struct timespec *dl)
{
	uint64_t i;
	int rc = 0;

	for (i = 0; i < c->n && rc == 0; i++) {
		switch (c->guard) {
		case B_MUTEX:
			if ((rc = ipc_mutex_lock(&c->mutex, dl)) != 0)
				break;
			c->plain = c->plain + 1;
			rc = ipc_mutex_unlock(&c->mutex);
			break;
		case B_SEM:
			if ((rc = ipc_sem_wait(c->sem, dl)) != 0)
				break;
			c->plain = c->plain + 1;
			rc = ipc_sem_post(c->sem);
			break;
		case B_SPIN:
			if ((rc = ipc_spin_lock(&c->spin, dl)) != 0)
				break;
			c->plain = c->plain + 1;
			rc = ipc_spin_unlock(&c->spin);
			break;
		default:
			atomic_fetch_add_explicit(&c->atomic, 1, memory_order_relaxed);
			break;
		}
	}
	return rc;
}

static int
count_worker(void *arg, unsigned id)
{
	struct bcounter *c = arg;
	int rc;

	if (gate(c->h, id) != 0)
		return -1;
	rc = count_loop(c, &c->h->deadline);
	stop_clock(c->h, id);
	return rc;
}

/* The guard built as counter.c builds it: robust mutex, spinlock, named sem. */
static void
counter_objects(struct bcounter *c, struct ipc_sem *s, int build)
{
	int rc = 0;

	if (c->guard == B_MUTEX)
		rc = build ? ipc_mutex_init(&c->mutex, IPC_MUTEX_NORMAL) :
		    (ipc_mutex_destroy(&c->mutex), 0);
	else if (c->guard == B_SPIN)
		rc = build ? ipc_spin_init(&c->spin) : (ipc_spin_destroy(&c->spin), 0);
	else if (c->guard == B_SEM && build) {
		if ((rc = ipc_sem_open(s, "bench.lock", 1)) == 0)
			rc = ipc_sem_unlink(s);
		c->sem = s->sem;
	} else if (c->guard == B_SEM)
		ipc_sem_close(s);
	if (rc != 0)
		errc(1, rc, "bench: counter guard");
}

int
bare_counter(int guard, enum mode mode, unsigned workers, uint64_t n,
    const struct timespec *deadline, double *rate, char *note, size_t len)
{
	struct bcounter *c;
	struct ipc_sem s;
	struct bare_hdr *h;
	uint64_t got;
	size_t total;
	int rc;

	h = bare_map(workers, sizeof(*c), deadline, (void **)&c, &total);
	c->h = h;
	c->guard = guard;
	c->n = n;
	counter_objects(c, &s, 1);
	rc = bare_run(mode, workers, count_worker, c, deadline);
	got = guard == B_ATOMIC ? atomic_load(&c->atomic) : c->plain;
	*rate = (double)workers * (double)n * 1e9 / (double)wall_ns(h);
	if (rc == 0 && got == workers * n)
		snprintf(note, len, "exact");
	else {
		snprintf(note, len, "counter %ju, want %ju%s", (uintmax_t)got,
		    (uintmax_t)(workers * n), rc != 0 ? "; a worker failed" : "");
		rc = -1;
	}
	counter_objects(c, &s, 0);
	munmap(h, total);
	return rc;
}

/* Channels: the queue demo's items through a pipe, a POSIX mq, a socketpair. */
struct tally {
	alignas(CACHE_LINE) uint64_t taken;
	uint64_t	 sum, dups, torn;
};

struct bchan {
	alignas(CACHE_LINE) atomic_uint producers_left;
	struct bare_hdr	*h;
	enum bare_chan	 kind;
	int		 fd[2];		/* pipe, socketpair: [0] write, [1] read */
	mqd_t		 mq;
	size_t		 isz;
	uint64_t	 n, nitems;
	unsigned	 np, nc;
	struct tally	*tally;
	_Atomic uint64_t *bitmap;
};

static int
chan_send(struct bchan *c, const unsigned char *buf)
{
	ssize_t k;

	if (c->kind == CH_MQ)
		return mq_send(c->mq, (const char *)buf, c->isz, 0) == 0 ? 0 : -1;
	do
		k = c->kind == CH_PIPE ? write(c->fd[0], buf, c->isz) :
		    send(c->fd[0], buf, c->isz, 0);
	while (k == -1 && errno == EINTR);
	return k == (ssize_t)c->isz ? 0 : -1;
}

/* One whole item into buf; a pipe may hand it over in pieces. */
static int
chan_recv(struct bchan *c, unsigned char *buf)
{
	size_t got = 0;
	ssize_t k;

	if (c->kind == CH_MQ)
		return mq_receive(c->mq, (char *)buf, c->isz, NULL) ==
		    (ssize_t)c->isz ? 0 : -1;
	while (got < c->isz) {
		k = c->kind == CH_PIPE ? read(c->fd[1], buf + got, c->isz - got) :
		    recv(c->fd[1], buf + got, c->isz - got, 0);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static int
chan_produce(struct bchan *c, unsigned p, unsigned char *buf)
{
	uint64_t i;
	unsigned j;

	for (i = 0; i < c->n; i++) {
		item_fill(buf, c->isz, p * c->n + i);
		if (chan_send(c, buf) != 0)
			return -1;
	}

	/* The last producer tells each consumer to stop. */
	if (atomic_fetch_sub(&c->producers_left, 1) == 1) {
		item_fill(buf, c->isz, SENTINEL);
		for (j = 0; j < c->nc; j++)
			if (chan_send(c, buf) != 0)
				return -1;
	}
	return 0;
}

/* Take items until the sentinel, checking each as workers/queue.c does. */
static int
chan_consume(struct bchan *c, unsigned id, unsigned char *buf)
{
	struct tally *t = &c->tally[id];
	uint64_t item, bit;

	for (;;) {
		if (chan_recv(c, buf) != 0)
			return -1;
		if (item_check(buf, c->isz, &item) != 0) {
			t->taken++;
			t->torn++;
			continue;
		}
		if (item == SENTINEL)
			return 0;
		t->taken++;
		t->sum += item_mix(item);
		bit = 1ULL << (item % 64);
		if (item >= c->nitems || atomic_fetch_or_explicit(&c->bitmap[item / 64],
		    bit, memory_order_relaxed) & bit)
			t->dups++;
	}
}

static int
chan_worker(void *arg, unsigned id)
{
	struct bchan *c = arg;
	unsigned char *buf;
	int rc;

	if ((buf = malloc(c->isz)) == NULL || gate(c->h, id) != 0)
		return -1;
	rc = id < c->np ? chan_produce(c, id, buf) : chan_consume(c, id - c->np, buf);
	stop_clock(c->h, id);
	free(buf);
	return rc;
}

/* Open the channel: the mq under a fresh exclusive 0600 name, unlinked at once. */
static int
chan_open(struct bchan *c)
{
	struct mq_attr attr = { 0, MQ_SLOTS, (long)c->isz, 0, { 0 } };
	char name[IPC_NAME_MAX];
	mode_t old;
	int rc, p[2];

	if (c->kind == CH_PIPE) {
		if (pipe2(p, O_CLOEXEC) == -1)
			return errno;
		c->fd[0] = p[1];
		c->fd[1] = p[0];
		return 0;
	}
	if (c->kind == CH_SOCKET)
		return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    c->fd) == -1 ? errno : 0;
	if ((rc = ipc_name(name, sizeof(name), "bench.mq")) != 0)
		return rc;
	old = umask(077);
	c->mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, IPC_MODE, &attr);
	rc = errno;
	umask(old);
	if (c->mq == (mqd_t)-1)
		return rc;
	return mq_unlink(name) == -1 ? errno : 0;
}

static void
chan_close(struct bchan *c)
{
	if (c->kind == CH_MQ)
		mq_close(c->mq);
	else {
		close(c->fd[0]);
		close(c->fd[1]);
	}
}

/* Sum the consumers' tallies: each item once, whole, checksum right. */
static int
chan_verdict(const struct bchan *c, char *note, size_t len)
{
	uint64_t taken = 0, sum = 0, want = 0, dups = 0, torn = 0, i;
	unsigned j;

	for (j = 0; j < c->nc; j++) {
		taken += c->tally[j].taken;
		sum += c->tally[j].sum;
		dups += c->tally[j].dups;
		torn += c->tally[j].torn;
	}
	for (i = 0; i < c->nitems; i++)
		want += item_mix(i);
	if (taken == c->nitems && dups == 0 && torn == 0 && sum == want) {
		snprintf(note, len, "each item once, whole");
		return 0;
	}
	snprintf(note, len, "%ju of %ju taken, %ju duplicated, %ju torn%s",
	    (uintmax_t)taken, (uintmax_t)c->nitems, (uintmax_t)dups,
	    (uintmax_t)torn, sum == want ? "" : ", checksum wrong");
	return -1;
}

int
bare_channel(enum bare_chan kind, unsigned np, unsigned nc, size_t isz,
    uint64_t n, const struct timespec *deadline, double *rate, char *note,
    size_t len)
{
	size_t bits = (np * n + 63) / 64 * sizeof(uint64_t), total;
	struct bchan *c;
	struct bare_hdr *h;
	int rc;

	h = bare_map(np + nc, sizeof(*c) + nc * sizeof(struct tally) + bits,
	    deadline, (void **)&c, &total);
	*c = (struct bchan){ .h = h, .kind = kind, .isz = isz, .n = n,
	    .nitems = np * n, .np = np, .nc = nc };
	atomic_init(&c->producers_left, np);
	c->tally = (struct tally *)(c + 1);
	c->bitmap = (_Atomic uint64_t *)(c->tally + nc);
	if ((rc = chan_open(c)) != 0) {
		munmap(h, total);
		snprintf(note, len, "cannot open the channel: %s", strerror(rc));
		return -1;
	}
	rc = bare_run(MODE_PROCESS, np + nc, chan_worker, c, deadline);
	*rate = (double)c->nitems * 1e9 / (double)wall_ns(h);
	if (chan_verdict(c, note, len) != 0 || rc != 0) {
		if (rc != 0)
			strlcat(note, " (a worker failed)", len);
		rc = -1;
	}
	chan_close(c);
	munmap(h, total);
	return rc;
}

/*
 * Ping-pong: a turn word passed back and forth, by semaphores, futex or
 * spinning (which yields every GATE_CHECK polls, or two workers sharing a
 * CPU would hand over once per time slice).
 */
struct bpp {
	alignas(CACHE_LINE) _Atomic uint32_t turn;
	alignas(CACHE_LINE) sem_t sem[2];
	struct bare_hdr	*h;
	enum bare_pp	 kind;
	uint64_t	 n;
	uint64_t	 moves[2];
};

/* Wait until turn == want (sem: until our semaphore is posted). */
static int
pp_wait(struct bpp *pp, unsigned id, uint32_t want)
{
	const struct timespec *dl = &pp->h->deadline;
	uint32_t v;
	unsigned i;

	if (pp->kind == PP_SEM)
		return ipc_sem_wait(&pp->sem[id], dl) == 0 &&
		    atomic_load(&pp->turn) == want ? 0 : -1;
	for (i = 1; (v = atomic_load(&pp->turn)) != want; i++) {
		if (pp->kind == PP_FUTEX) {
			if (ipc_futex_wait(&pp->turn, v, dl) == ETIMEDOUT)
				return -1;
		} else if (i % GATE_CHECK != 0)
			ipc_cpu_relax();
		else if (ipc_expired(dl))
			return -1;
		else
			sched_yield();	/* the other may be waiting for this CPU */
	}
	return 0;
}

static void
pp_pass(struct bpp *pp, unsigned id, uint32_t next)
{
	atomic_store(&pp->turn, next);
	if (pp->kind == PP_SEM)
		ipc_sem_post(&pp->sem[!id]);
	else if (pp->kind == PP_FUTEX)
		ipc_futex_wake(&pp->turn, 1, NULL);
}

static int
pp_worker(void *arg, unsigned id)
{
	struct bpp *pp = arg;
	uint64_t i;

	if (gate(pp->h, id) != 0)
		return -1;
	for (i = 0; i < pp->n; i++) {
		if (pp_wait(pp, id, (uint32_t)(2 * i + id)) != 0)
			return -1;
		pp->moves[id]++;
		pp_pass(pp, id, (uint32_t)(2 * i + id + 1));
	}
	stop_clock(pp->h, id);
	return 0;
}

int
bare_pingpong(enum bare_pp kind, enum mode mode, uint64_t n,
    const struct timespec *deadline, double *ns, char *note, size_t len)
{
	struct bpp *pp;
	struct bare_hdr *h;
	size_t total;
	int rc;

	h = bare_map(2, sizeof(*pp), deadline, (void **)&pp, &total);
	pp->h = h;
	pp->kind = kind;
	pp->n = n;
	if (sem_init(&pp->sem[0], 1, 1) == -1 || sem_init(&pp->sem[1], 1, 0) == -1)
		err(1, "bench: sem_init");
	rc = bare_run(mode, 2, pp_worker, pp, deadline);
	*ns = (double)wall_ns(h) / (double)n;
	if (rc == 0 && atomic_load(&pp->turn) == (uint32_t)(2 * n) &&
	    pp->moves[0] == n && pp->moves[1] == n)
		snprintf(note, len, "%ju round trips", (uintmax_t)n);
	else {
		snprintf(note, len, "turn %u, moves %ju and %ju%s",
		    (unsigned)atomic_load(&pp->turn), (uintmax_t)pp->moves[0],
		    (uintmax_t)pp->moves[1], rc != 0 ? "; a worker failed" : "");
		rc = -1;
	}
	sem_destroy(&pp->sem[0]);
	sem_destroy(&pp->sem[1]);
	munmap(h, total);
	return rc;
}


static int
nothing(void *arg, unsigned id)
{
	(void)arg, (void)id;
	return 0;
}

/*
 * n workers that do nothing, through the one spawner: start all, then reap
 * all.  A forked one makes three system calls before _exit (prctl, getppid,
 * sigprocmask), a microsecond against a fork's hundred.
 */
int
bare_spawn(enum mode mode, unsigned n, const struct timespec *deadline,
    double *ns, char *note, size_t len)
{
	struct spawn sp;
	uint64_t t0;
	int rc;

	run_launcher_only();
	t0 = ipc_now_ns();
	if ((rc = spawn_start(&sp, mode, n, nothing, NULL, NULL)) != 0)
		errc(1, rc, "bench: spawn %u of %u", sp.started, n);
	rc = spawn_reap_all(&sp, ipc_ns_from_ts(deadline));
	*ns = (double)(ipc_now_ns() - t0) / (double)n;
	spawn_free(&sp);
	snprintf(note, len, rc == 0 ? "%u reaped" : "a worker failed", n);
	return rc == 0 ? 0 : -1;
}

/*
 * The limit of a single-item SPSC ring: Rigtorp's SPSCQueue / Folly's
 * ProducerConsumerQueue design.  Each side owns its index on its own line
 * with a private copy of the other's, re-read only when the copy says full
 * (producer) or empty (consumer); busy-waiting, no sleeper to tell.  The
 * consumer checks each item is the next number (FIFO: exactly once, in
 * order), a compare per item.  It yields every GATE_CHECK idle polls, or a
 * producer and consumer sharing a CPU would move one slice at a time.
 */
#define BRING_CAP	1024		/* slots: the shmsync queue's QUEUE_CAP */

struct bring {
	struct ipc_ring	*ring;		/* NULL: the bare ring below; else ipc/ring */
	alignas(CACHE_LINE) _Atomic uint64_t tail;	/* the producer's line */
	uint64_t	 head_seen;
	alignas(CACHE_LINE) _Atomic uint64_t head;	/* the consumer's line */
	uint64_t	 tail_seen;
	uint64_t	 wrong;		/* items that were not the next number */
	alignas(CACHE_LINE) struct bare_hdr *h;
	uint64_t	 n;
	alignas(CACHE_LINE) uint64_t slot[BRING_CAP];
};

/* Spin one poll; 0, or -1 past the deadline. */
static int
idle(const struct bare_hdr *h, unsigned *i)
{
	if (++*i % GATE_CHECK != 0) {
		ipc_cpu_relax();
		return 0;
	}
	if (ipc_expired(&h->deadline))
		return -1;
	sched_yield();
	return 0;
}

static int
bring_produce(struct bring *q)
{
	uint64_t t;
	unsigned i = 0;

	for (t = 0; t < q->n; t++) {
		while (t - q->head_seen == BRING_CAP) {
			q->head_seen = atomic_load_explicit(&q->head, memory_order_acquire);
			if (t - q->head_seen == BRING_CAP && idle(q->h, &i) != 0)
				return -1;
		}
		q->slot[t % BRING_CAP] = t;
		atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	}
	return 0;
}

static int
bring_consume(struct bring *q)
{
	uint64_t hd;
	unsigned i = 0;

	for (hd = 0; hd < q->n; hd++) {
		while (hd == q->tail_seen) {
			q->tail_seen = atomic_load_explicit(&q->tail, memory_order_acquire);
			if (hd == q->tail_seen && idle(q->h, &i) != 0)
				return -1;
		}
		q->wrong += q->slot[hd % BRING_CAP] != hd;
		atomic_store_explicit(&q->head, hd + 1, memory_order_release);
	}
	return 0;
}

/* The same loops through ipc_ring_put/get: the blocking ring without a demo. */
static int
ipcring_produce(struct bring *q)
{
	uint64_t t;

	for (t = 0; t < q->n; t++)
		if (ipc_ring_put(q->ring, &t, &q->h->deadline) != 0)
			return -1;
	return 0;
}

static int
ipcring_consume(struct bring *q)
{
	uint64_t hd, v;

	for (hd = 0; hd < q->n; hd++) {
		if (ipc_ring_get(q->ring, &v, &q->h->deadline) != 0)
			return -1;
		q->wrong += v != hd;
	}
	atomic_store(&q->head, hd);
	return 0;
}

static int
bring_worker(void *arg, unsigned id)
{
	struct bring *q = arg;
	int rc;

	if (gate(q->h, id) != 0)
		return -1;
	if (q->ring != NULL)
		rc = id == 0 ? ipcring_produce(q) : ipcring_consume(q);
	else
		rc = id == 0 ? bring_produce(q) : bring_consume(q);
	stop_clock(q->h, id);
	return rc;
}

/* ipc: through ipc/ring (put, get; able to block), else the bare ring. */
int
bare_ring(int ipc, uint64_t n, const struct timespec *deadline, double *rate,
    char *note, size_t len)
{
	size_t rsize = ipc_ring_size(BRING_CAP, sizeof(uint64_t)), total;
	struct bring *q;
	struct bare_hdr *h;
	int rc;

	h = bare_map(2, sizeof(*q) + rsize, deadline, (void **)&q, &total);
	q->h = h;
	q->n = n;
	if (ipc && (rc = ipc_ring_init(q->ring = (struct ipc_ring *)(q + 1),
	    BRING_CAP, sizeof(uint64_t))) != 0)
		errc(1, rc, "bench: ipc_ring_init");
	rc = bare_run(MODE_PROCESS, 2, bring_worker, q, deadline);
	*rate = (double)n * 1e9 / (double)wall_ns(h);
	if (rc == 0 && q->wrong == 0 && atomic_load(&q->head) == n)
		snprintf(note, len, "each item once, in order");
	else {
		snprintf(note, len, "%ju of %ju taken, %ju out of order%s",
		    (uintmax_t)atomic_load(&q->head), (uintmax_t)n,
		    (uintmax_t)q->wrong, rc != 0 ? "; a worker failed" : "");
		rc = -1;
	}
	munmap(h, total);
	return rc;
}

/*
 * The limit of a barrier: sense-reversing and spinning (Mellor-Crummey and
 * Scott).  The last to arrive resets the count and flips the sense; the
 * others spin on the sense, yielding every GATE_CHECK polls.  The last
 * arriver of each round counts itself serial: exactly one per round.
 * With ipc set, the same loop waits on ipc/barrier's hybrid barrier
 * instead: the barrier without the demo's per-round proof.
 */
struct bspin {
	struct ipc_barrier *ipc;	/* NULL: the bare barrier */
	alignas(CACHE_LINE) atomic_uint count;
	atomic_uint	 sense;
	uint64_t	 serial;	/* written by each round's last arriver */
	alignas(CACHE_LINE) struct bare_hdr *h;
	uint64_t	 n;
	unsigned	 parties;
	uint64_t	 left[64];	/* rounds each party completed */
};

/* The rounds through ipc_barrier_wait; its serial waiter counts the round. */
static int
ipc_barrier_rounds(struct bspin *s, unsigned id)
{
	uint64_t r;
	int rc;

	for (r = 0; r < s->n; r++)
		if ((rc = ipc_barrier_wait(s->ipc, &s->h->deadline)) ==
		    IPC_BARRIER_SERIAL)
			s->serial++;
		else if (rc != 0)
			return -1;
	s->left[id] = r;
	stop_clock(s->h, id);
	return 0;
}

static int
bspin_worker(void *arg, unsigned id)
{
	struct bspin *s = arg;
	unsigned sense = 0, i = 0;
	uint64_t r;

	if (gate(s->h, id) != 0)
		return -1;
	if (s->ipc != NULL)
		return ipc_barrier_rounds(s, id);
	for (r = 0; r < s->n; r++) {
		sense = !sense;
		if (atomic_fetch_sub(&s->count, 1) == 1) {
			s->serial++;
			atomic_store_explicit(&s->count, s->parties, memory_order_relaxed);
			atomic_store_explicit(&s->sense, sense, memory_order_release);
		} else
			while (atomic_load_explicit(&s->sense, memory_order_acquire) !=
			    sense)
				if (idle(s->h, &i) != 0)
					return -1;
	}
	s->left[id] = r;
	stop_clock(s->h, id);
	return 0;
}

int
bare_barrier(int ipc, enum mode mode, unsigned parties, uint64_t n,
    const struct timespec *deadline, double *rate, char *note, size_t len)
{
	struct bspin *s;
	struct bare_hdr *h;
	size_t total;
	unsigned i, full = 0;
	int rc;

	if (parties > 64)
		parties = 64;
	h = bare_map(parties, sizeof(*s) + sizeof(struct ipc_barrier), deadline,
	    (void **)&s, &total);
	s->h = h;
	s->n = n;
	s->parties = parties;
	atomic_init(&s->count, parties);
	if (ipc && (rc = ipc_barrier_init(s->ipc = (struct ipc_barrier *)(s + 1),
	    IPC_BARRIER_HYBRID, parties)) != 0)
		errc(1, rc, "bench: ipc_barrier_init");
	rc = bare_run(mode, parties, bspin_worker, s, deadline);
	if (ipc)
		ipc_barrier_destroy(s->ipc);
	*rate = (double)n * 1e9 / (double)wall_ns(h);
	for (i = 0; i < parties; i++)
		full += s->left[i] == n;
	if (rc == 0 && s->serial == n && full == parties)
		snprintf(note, len, "one serial per round");
	else {
		snprintf(note, len, "%ju serial in %ju rounds, %u of %u parties "
		    "done%s", (uintmax_t)s->serial, (uintmax_t)n, full, parties,
		    rc != 0 ? "; a worker failed" : "");
		rc = -1;
	}
	munmap(h, total);
	return rc;
}
