/*
 * region.c - create, attach, unlink and unmap a POSIX shared-memory region.
 *
 * The one place shmsync calls shm_open: exclusive creation under a per-run
 * name, mode forced to 0600, memory reserved with posix_fallocate, pages
 * mapped and populated before any worker touches them.  See region.h.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "region.h"

static int
region_map(struct ipc_region *r, int fd, size_t size)
{
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
	    fd, 0);
	if (p == MAP_FAILED)
		return errno;
	r->base = p;
	r->size = size;
	return 0;
}

/* Make a new object of size bytes under a fresh name; never open another's. */
int
ipc_region_create(struct ipc_region *r, const char *what, size_t size)
{
	int fd, rc;

	memset(r, 0, sizeof(*r));
	if (size == 0)
		return EINVAL;
	if ((rc = ipc_name(r->name, sizeof(r->name), what)) != 0)
		return rc;
	if ((fd = shm_open(r->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    IPC_MODE)) == -1) {
		rc = errno;
		r->name[0] = '\0';
		return rc;
	}

	/* The umask may have cut the mode; reserve the memory, then map it. */
	if (fchmod(fd, IPC_MODE) == -1)
		rc = errno;
	else
		rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc == 0)
		rc = region_map(r, fd, size);
	close(fd);
	if (rc != 0) {
		shm_unlink(r->name);
		r->name[0] = '\0';
	}
	return rc;
}

/* Map an existing region by name, only if it is ours and private (0600). */
int
ipc_region_attach(struct ipc_region *r, const char *name)
{
	struct stat st;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	if (strlen(name) >= sizeof(r->name))
		return ENAMETOOLONG;
	if ((fd = shm_open(name, O_RDWR | O_CLOEXEC, 0)) == -1)
		return errno;
	if (fstat(fd, &st) == -1)
		rc = errno;
	else if (st.st_uid != geteuid() || (st.st_mode & 07777) != IPC_MODE)
		rc = EPERM;
	else if (st.st_size <= 0)
		rc = EINVAL;
	else
		rc = region_map(r, fd, (size_t)st.st_size);
	close(fd);
	return rc;
}

/* Remove the name; the mapping lives on until every process unmaps it. */
int
ipc_region_unlink(struct ipc_region *r)
{
	int rc = 0;

	if (r->name[0] != '\0' && shm_unlink(r->name) == -1)
		rc = errno;
	r->name[0] = '\0';
	return rc;
}

void
ipc_region_destroy(struct ipc_region *r)
{
	ipc_region_unlink(r);
	if (r->base != NULL)
		munmap(r->base, r->size);
	r->base = NULL;
	r->size = 0;
}
