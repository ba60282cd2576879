// copyTree: a directory tree copied from beneath one root to beneath another on libuv's thread
// pool, the way a volume's copy-up needs it (src/volume/copy-up.ts): content, owners, modes,
// times (atime = mtime, to the nanosecond), extended attributes but overlayfs' own, symlinks as
// they are, hard links as links, device nodes and fifos; sockets skipped. One call per tree
// instead of a dozen JS calls per entry.
//
// Safety: each directory is opened beneath its root by open_beneath (no symlink followed, no
// "..", no other mount), and every entry in it is acted on relative to that directory fd with
// O_NOFOLLOW / AT_SYMLINK_NOFOLLOW; new entries are made with O_EXCL / mkdirat / symlinkat, so
// something already in the destination (a symlink planted to point outside) is never written
// through: a file, link or node in the way is kept and skipped, and so is the subtree of a
// directory whose place holds anything but a directory. Only entries listed as regular files
// are opened for reading (see copy_file).
//
// Speed: a copy-up is bound by system calls (each costs more in a VM); per regular file this
// makes open, fstat, create, one copy call, flistxattr, futimens and two closes, adding fchown
// and fchmod only where creation did not give the owner and mode already. The regular files of a
// large directory are shared out among a few threads (one per CPU, at most MAX_WORKERS): only
// the creation itself is serialised by the kernel (the directory's lock), the rest runs side
// by side. Hard-linked files and every other kind of entry are made by one thread, after.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "berth-host.h"

#define XATTR_MAX 65536
#define COPY_CHUNK (1 << 20)
#define MAX_WORKERS 4
#define PARALLEL_FROM 64 // regular files in one directory before threads are worth starting

// a hard-linked source file (dev, ino) and where its first copy went
struct link_slot { dev_t dev; ino_t ino; char *dst; };
// a directory still to copy: its path beneath each root
struct dir_todo { char *src; char *dst; };

struct copy_job {
  napi_async_work work;
  napi_deferred deferred;
  int src_root, dst_root;
  char *from;
  // failure: errno, the call, the path (beneath the destination root, or the source one)
  int err;
  const char *syscall;
  char *path;
  struct link_slot *links;  // touched by the job's own thread only
  size_t nlinks, cap_links;
  struct dir_todo *todo;
  size_t ntodo, cap_todo;
  int no_copy_range, no_sendfile; // set once a kernel copy call proved unsupported (a benign race)
  uid_t uid;       // what a new entry is owned by, and the umask it is made under
  gid_t gid;
  mode_t umask;
  int workers;
};

// One thread's share of a copy: its buffers, the first failure it met, the hard-linked files it
// left for the job's thread.
struct copier {
  struct copy_job *j;
  int err;
  const char *syscall;
  char *path;
  char *buf;       // COPY_CHUNK, for read/write where neither kernel copy works
  char *names;     // XATTR_MAX
  char *value;     // XATTR_MAX
  size_t *deferred;
  size_t ndeferred, cap_deferred;
};

static int copier_init(struct copier *c, struct copy_job *j) {
  memset(c, 0, sizeof *c);
  c->j = j;
  c->buf = malloc(COPY_CHUNK);
  c->names = malloc(XATTR_MAX);
  c->value = malloc(XATTR_MAX);
  if (c->buf && c->names && c->value) return 0;
  errno = ENOMEM;
  return -1;
}

static void copier_free(struct copier *c) {
  free(c->buf);
  free(c->names);
  free(c->value);
  free(c->path);
  free(c->deferred);
}

static int fail(struct copier *c, const char *syscall, const char *path) {
  if (!c->err) {
    c->err = errno ? errno : EIO;
    c->syscall = syscall;
    c->path = strdup(path);
  }
  return -1;
}

// "a" + "/" + "b" (or "b" when a is empty); NULL with ENAMETOOLONG beyond PATH_MAX
static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la + lb + 2 > PATH_MAX) { errno = ENAMETOOLONG; return NULL; }
  char *s = malloc(la + lb + 2);
  if (!s) { errno = ENOMEM; return NULL; }
  if (la) { memcpy(s, a, la); s[la] = '/'; memcpy(s + la + 1, b, lb + 1); }
  else memcpy(s, b, lb + 1);
  return s;
}

static size_t link_hash(dev_t dev, ino_t ino, size_t cap) {
  uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;
  return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static struct link_slot *link_find(struct copy_job *j, dev_t dev, ino_t ino) {
  if (!j->cap_links) return NULL;
  for (size_t i = link_hash(dev, ino, j->cap_links);; i = (i + 1) & (j->cap_links - 1)) {
    struct link_slot *s = &j->links[i];
    if (!s->dst) return s;
    if (s->dev == dev && s->ino == ino) return s;
  }
}

static int link_add(struct copy_job *j, dev_t dev, ino_t ino, const char *dst) {
  if ((j->nlinks + 1) * 2 > j->cap_links) {
    size_t cap = j->cap_links ? j->cap_links * 2 : 64;
    struct link_slot *old = j->links, *grown = calloc(cap, sizeof *grown);
    if (!grown) { errno = ENOMEM; return -1; }
    size_t old_cap = j->cap_links;
    j->links = grown;
    j->cap_links = cap;
    for (size_t i = 0; i < old_cap; i++) if (old[i].dst) *link_find(j, old[i].dev, old[i].ino) = old[i];
    free(old);
  }
  char *copy = strdup(dst);
  if (!copy) { errno = ENOMEM; return -1; }
  struct link_slot *s = link_find(j, dev, ino);
  s->dev = dev;
  s->ino = ino;
  s->dst = copy;
  j->nlinks++;
  return 0;
}

static int todo_push(struct copy_job *j, char *src, char *dst) {
  if (j->ntodo == j->cap_todo) {
    size_t cap = j->cap_todo ? j->cap_todo * 2 : 64;
    struct dir_todo *grown = realloc(j->todo, cap * sizeof *grown);
    if (!grown) { errno = ENOMEM; return -1; }
    j->todo = grown;
    j->cap_todo = cap;
  }
  j->todo[j->ntodo].src = src;
  j->todo[j->ntodo].dst = dst;
  j->ntodo++;
  return 0;
}

// Extended attributes of fd `from` onto fd `to`, overlayfs' own (trusted.overlay.*) left out:
// they belong to the layer, not the file. What the destination refuses (no support, no
// permission for the namespace) is skipped.
static int copy_xattrs(struct copier *c, int from, int to, const char *path) {
  ssize_t n = flistxattr(from, c->names, XATTR_MAX);
  if (n < 0) {
    if (errno == ENOTSUP || errno == EPERM) return 0;
    return fail(c, "flistxattr", path);
  }
  for (ssize_t off = 0; off < n; off += (ssize_t)strlen(c->names + off) + 1) {
    const char *name = c->names + off;
    if (!strncmp(name, "trusted.overlay.", 16)) continue;
    ssize_t vn = fgetxattr(from, name, c->value, XATTR_MAX);
    if (vn < 0) {
      if (errno == ENODATA) continue;
      return fail(c, "fgetxattr", path);
    }
    if (fsetxattr(to, name, c->value, (size_t)vn, 0) < 0 && errno != ENOTSUP && errno != EPERM) return fail(c, "fsetxattr", path);
  }
  return 0;
}

// `size` bytes (or up to the end, if the file shrank) from `in` to `out`: copy_file_range, else
// sendfile, else read and write.
static int copy_data(struct copier *c, int in, int out, off_t size) {
  struct copy_job *j = c->j;
  off_t done = 0;
  while (done < size) {
    size_t want = (size_t)(size - done > COPY_CHUNK ? COPY_CHUNK : size - done);
    ssize_t n;
    if (!j->no_copy_range) {
      n = copy_file_range(in, NULL, out, NULL, want, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) && done == 0) { j->no_copy_range = 1; continue; }
    } else if (!j->no_sendfile) {
      n = sendfile(out, in, NULL, want);
      if (n < 0 && (errno == EINVAL || errno == ENOSYS) && done == 0) { j->no_sendfile = 1; continue; }
    } else {
      n = read(in, c->buf, want);
      for (ssize_t w = 0; n > 0 && w < n;) {
        ssize_t k = write(out, c->buf + w, (size_t)(n - w));
        if (k < 0) { if (errno == EINTR) continue; return -1; }
        w += k;
      }
    }
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    if (n == 0) break;
    done += n;
  }
  return 0;
}

static void close_keep_errno(int fd) {
  int e = errno;
  close(fd);
  errno = e;
}

// What a new entry in the directory being filled gets without being told: the creator's owner
// (the directory's group under setgid) and the mode asked less the umask (unless a default ACL
// decides it: then the mode is always set).
struct made { uid_t uid; gid_t gid; mode_t umask; int setgid_dir; int default_acl; };

// A regular file `name` of directory `sdir` copied to `ddir` as `path` (beneath the destination).
// The source is opened O_NOFOLLOW | O_NONBLOCK and checked to be a regular file before a byte is
// read; nothing writes to it meanwhile (the container whose rootfs it is has not started, and
// the layers below are read-only), so a device or fifo never takes a listed file's place. The
// owner and mode are set only where creation did not already give them. A file with more than
// one link is left to the job's thread when `defer` is set (returns 1): it owns the link table.
static int copy_file(struct copier *c, int sdir, int ddir, const char *name, const char *path, const struct made *made, int defer) {
  struct copy_job *j = c->j;
  int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (in < 0) return errno == ENOENT || errno == ELOOP ? 0 : fail(c, "open", path);
  struct stat st;
  if (fstat(in, &st) < 0) { close_keep_errno(in); return fail(c, "fstat", path); }
  if (!S_ISREG(st.st_mode)) { close(in); return 0; }
  if (st.st_nlink > 1 && defer) { close(in); return 1; }
  if (st.st_nlink > 1) {
    struct link_slot *first = link_find(j, st.st_dev, st.st_ino);
    if (first && first->dst) {
      close(in);
      char *slash = strrchr(first->dst, '/');
      int rc;
      if (slash) {
        *slash = 0;
        int parent = open_beneath(j->dst_root, first->dst, O_PATH | O_DIRECTORY);
        *slash = '/';
        if (parent < 0) return fail(c, "openat2", first->dst);
        rc = linkat(parent, slash + 1, ddir, name, 0);
        close_keep_errno(parent);
      } else rc = linkat(j->dst_root, first->dst, ddir, name, 0);
      return rc < 0 && errno != EEXIST ? fail(c, "link", path) : 0;
    }
  }
  mode_t mode = st.st_mode & 07777;
  int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
  if (out < 0) { close_keep_errno(in); return errno == EEXIST ? 0 : fail(c, "open", path); }
  int rc = -1;
  const char *failed = "copy";
  if (copy_data(c, in, out, st.st_size) == 0) {
    struct timespec ts[2] = { st.st_mtim, st.st_mtim };
    int own = st.st_uid != made->uid || st.st_gid != made->gid || made->setgid_dir;
    // chown first: it clears the setuid and setgid bits that chmod then sets
    int chmod = own || made->default_acl || (mode & ~0777) || (mode & made->umask);
    if ((failed = "fchown", own ? fchown(out, st.st_uid, st.st_gid) : 0) == 0
        && (failed = "fchmod", chmod ? fchmod(out, mode) : 0) == 0
        && copy_xattrs(c, in, out, path) == 0
        && (failed = "futimens", futimens(out, ts)) == 0) rc = 0;
  }
  if (rc < 0 && !c->err) fail(c, failed, path);
  close(in);
  close(out);
  if (rc == 0 && st.st_nlink > 1 && link_add(j, st.st_dev, st.st_ino, path) < 0) return fail(c, "link", path);
  return rc;
}

// A symlink, device node or fifo `name` (its stat in `st`) made in `ddir`, owner, mode and time as the source's.
static int copy_special(struct copier *c, int sdir, int ddir, const char *name, const struct stat *st, const char *path) {
  const char *failed;
  int rc;
  if (S_ISLNK(st->st_mode)) {
    char target[PATH_MAX + 1];
    ssize_t n = readlinkat(sdir, name, target, sizeof target);
    if (n < 0) return errno == ENOENT || errno == EINVAL ? 0 : fail(c, "readlink", path);
    if (n > PATH_MAX) { errno = ENAMETOOLONG; return fail(c, "readlink", path); }
    target[n] = 0;
    failed = "symlink";
    rc = symlinkat(target, ddir, name);
  } else {
    failed = "mknod";
    rc = mknodat(ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev);
  }
  if (rc < 0) return errno == EEXIST ? 0 : fail(c, failed, path);
  struct timespec ts[2] = { st->st_mtim, st->st_mtim };
  if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0) return fail(c, "fchownat", path);
  if (!S_ISLNK(st->st_mode) && chmod_nofollow(ddir, name, st->st_mode & 07777) < 0) return fail(c, "fchmodat", path);
  if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0) return fail(c, "utimensat", path);
  return 0;
}

// A subdirectory `name`: made (or an existing directory kept) with the source's owner and mode,
// then queued. 0 with nothing queued when a non-directory holds its place.
static int copy_dir_entry(struct copier *c, int ddir, const char *name, const struct stat *st, const char *src, const char *path) {
  if (mkdirat(ddir, name, 0700) < 0) {
    if (errno != EEXIST) return fail(c, "mkdir", path);
    struct stat there;
    if (fstatat(ddir, name, &there, AT_SYMLINK_NOFOLLOW) < 0) return fail(c, "lstat", path);
    if (!S_ISDIR(there.st_mode)) return 0;
  }
  if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0) return fail(c, "fchownat", path);
  if (chmod_nofollow(ddir, name, st->st_mode & 07777) < 0) return fail(c, "fchmodat", path);
  char *s = join(src, name), *d = s ? strdup(path) : NULL;
  if (!s || !d || todo_push(c->j, s, d) < 0) { free(s); free(d); return fail(c, "copy", path); }
  return 0;
}

// The entries of one directory as listed: names and kinds (d_type).
struct listing { char **names; unsigned char *types; size_t n, cap; };

static void listing_free(struct listing *l) {
  for (size_t i = 0; i < l->n; i++) free(l->names[i]);
  free(l->names);
  free(l->types);
}

static int list_dir(int sdir, struct listing *l) {
  int listed = dup(sdir);
  DIR *d = listed < 0 ? NULL : fdopendir(listed);
  if (!d) { if (listed >= 0) close_keep_errno(listed); return -1; }
  struct dirent *de;
  int rc = 0;
  while ((errno = 0, de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (l->n == l->cap) {
      size_t cap = l->cap ? l->cap * 2 : 64;
      char **names = realloc(l->names, cap * sizeof *names);
      if (names) l->names = names;
      unsigned char *types = names ? realloc(l->types, cap) : NULL;
      if (!types) { errno = ENOMEM; rc = -1; break; }
      l->types = types;
      l->cap = cap;
    }
    if (!(l->names[l->n] = strdup(de->d_name))) { errno = ENOMEM; rc = -1; break; }
    l->types[l->n++] = de->d_type;
  }
  if (rc == 0 && errno) rc = -1;
  closedir(d);
  return rc;
}

// The regular files of one directory, shared out among threads.
struct share {
  struct copier *c;
  struct listing *l;
  size_t *files, nfiles, *next;
  int *stop;       // set by the first thread that fails
  int sdir, ddir;
  const char *dst;
  const struct made *made;
};

static void *copy_share(void *arg) {
  struct share *s = arg;
  for (;;) {
    size_t at = __atomic_fetch_add(s->next, 16, __ATOMIC_RELAXED);
    if (at >= s->nfiles || __atomic_load_n(s->stop, __ATOMIC_RELAXED)) break;
    for (size_t k = at; k < at + 16 && k < s->nfiles && !s->c->err; k++) {
      size_t i = s->files[k];
      char *path = join(s->dst, s->l->names[i]);
      if (!path) { fail(s->c, "copy", s->dst); break; }
      int rc = copy_file(s->c, s->sdir, s->ddir, s->l->names[i], path, s->made, 1);
      free(path);
      if (rc != 1) continue;
      if (s->c->ndeferred == s->c->cap_deferred) {
        size_t cap = s->c->cap_deferred ? s->c->cap_deferred * 2 : 16;
        size_t *grown = realloc(s->c->deferred, cap * sizeof *grown);
        if (!grown) { errno = ENOMEM; fail(s->c, "copy", s->dst); break; }
        s->c->deferred = grown;
        s->c->cap_deferred = cap;
      }
      s->c->deferred[s->c->ndeferred++] = i;
    }
    if (s->c->err) { __atomic_store_n(s->stop, 1, __ATOMIC_RELAXED); break; }
  }
  return NULL;
}

// The regular files listed (`files`): by `workers` threads when there are many, hard-linked ones
// then by this thread. -1 on the first failure, recorded in `c`.
static int copy_files(struct copier *c, struct listing *l, size_t *files, size_t nfiles, int sdir, int ddir, const char *dst, const struct made *made) {
  int workers = nfiles >= PARALLEL_FROM ? c->j->workers : 1;
  struct copier extra[MAX_WORKERS];
  pthread_t threads[MAX_WORKERS];
  struct share shares[MAX_WORKERS];
  size_t next = 0;
  int started = 0, stop = 0;
  c->ndeferred = 0;
  for (int w = 1; w < workers; w++) {
    if (copier_init(&extra[started], c->j) < 0) { copier_free(&extra[started]); break; }
    shares[started + 1] = (struct share){ &extra[started], l, files, nfiles, &next, &stop, sdir, ddir, dst, made };
    if (pthread_create(&threads[started], NULL, copy_share, &shares[started + 1]) != 0) { copier_free(&extra[started]); break; }
    started++;
  }
  shares[0] = (struct share){ c, l, files, nfiles, &next, &stop, sdir, ddir, dst, made };
  copy_share(&shares[0]);
  for (int w = 0; w < started; w++) {
    pthread_join(threads[w], NULL);
    if (extra[w].err && !c->err) {
      c->err = extra[w].err;
      c->syscall = extra[w].syscall;
      c->path = extra[w].path;
      extra[w].path = NULL;
    }
    for (size_t k = 0; k < extra[w].ndeferred && !c->err; k++) {
      if (c->ndeferred == c->cap_deferred) {
        size_t cap = c->cap_deferred ? c->cap_deferred * 2 : 16;
        size_t *grown = realloc(c->deferred, cap * sizeof *grown);
        if (!grown) { errno = ENOMEM; fail(c, "copy", dst); break; }
        c->deferred = grown;
        c->cap_deferred = cap;
      }
      c->deferred[c->ndeferred++] = extra[w].deferred[k];
    }
    copier_free(&extra[w]);
  }
  if (c->err) return -1;
  // the hard-linked files, whichever thread met them
  for (size_t k = 0; k < c->ndeferred; k++) {
    size_t i = c->deferred[k];
    char *path = join(dst, l->names[i]);
    if (!path) return fail(c, "copy", dst);
    int rc = copy_file(c, sdir, ddir, l->names[i], path, made, 0);
    free(path);
    if (rc < 0) return -1;
  }
  return 0;
}

// One directory: its regular files copied, its other entries made and its subdirectories
// queued, then its own extended attributes and times (nothing is created in it after this).
static int copy_dir(struct copier *c, const char *src, const char *dst) {
  int sdir = open_beneath(c->j->src_root, src, O_RDONLY | O_DIRECTORY);
  if (sdir < 0) return fail(c, "openat2", src);
  int ddir = open_beneath(c->j->dst_root, dst, O_RDONLY | O_DIRECTORY);
  if (ddir < 0) { close_keep_errno(sdir); return fail(c, "openat2", dst); }
  struct stat st;
  struct listing l;
  size_t *files = NULL;
  int rc = 0;
  memset(&st, 0, sizeof st);
  memset(&l, 0, sizeof l);
  if (fstat(ddir, &st) < 0) rc = fail(c, "fstat", dst);
  struct made made = { c->j->uid, c->j->gid, c->j->umask, (st.st_mode & S_ISGID) != 0, 0 };
  made.default_acl = fgetxattr(ddir, "system.posix_acl_default", NULL, 0) >= 0 || (errno != ENODATA && errno != ENOTSUP);
  if (rc == 0 && list_dir(sdir, &l) < 0) rc = fail(c, "readdir", src);
  size_t nfiles = 0;
  if (rc == 0 && l.n && !(files = malloc(l.n * sizeof *files))) { errno = ENOMEM; rc = fail(c, "copy", src); }
  // a regular file is opened straight away (and checked): a stat saved per file
  for (size_t i = 0; rc == 0 && i < l.n; i++) if (l.types[i] == DT_REG) files[nfiles++] = i;
  if (rc == 0 && nfiles) rc = copy_files(c, &l, files, nfiles, sdir, ddir, dst, &made);
  size_t f = 0;
  for (size_t i = 0; rc == 0 && i < l.n; i++) {
    if (f < nfiles && files[f] == i) { f++; continue; }
    const char *name = l.names[i];
    char *path = join(dst, name);
    if (!path) { rc = fail(c, "copy", dst); break; }
    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno != ENOENT) rc = fail(c, "lstat", path);
    } else if (S_ISDIR(st.st_mode)) rc = copy_dir_entry(c, ddir, name, &st, src, path);
    else if (S_ISREG(st.st_mode)) rc = copy_file(c, sdir, ddir, name, path, &made, 0) < 0 ? -1 : 0;
    else if (S_ISLNK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) rc = copy_special(c, sdir, ddir, name, &st, path);
    // sockets are not copied (nor are they by Docker's copy)
    free(path);
  }
  free(files);
  listing_free(&l);
  if (rc == 0 && fstat(sdir, &st) < 0) rc = fail(c, "fstat", src);
  if (rc == 0) rc = copy_xattrs(c, sdir, ddir, dst[0] ? dst : ".");
  if (rc == 0) {
    struct timespec ts[2] = { st.st_mtim, st.st_mtim };
    if (futimens(ddir, ts) < 0) rc = fail(c, "futimens", dst[0] ? dst : ".");
  }
  close(sdir);
  close(ddir);
  return rc;
}

// The process's umask, from /proc (umask(2) would change it for every thread); all bits when unknown.
static mode_t read_umask(void) {
  mode_t mask = 07777;
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return mask;
  char line[256];
  unsigned m;
  while (fgets(line, sizeof line, f)) if (sscanf(line, "Umask: %o", &m) == 1) { mask = (mode_t)m; break; }
  fclose(f);
  return mask;
}

static void copy_execute(napi_env env, void *arg) {
  (void)env;
  struct copy_job *j = arg;
  j->uid = geteuid();
  j->gid = getegid();
  j->umask = read_umask();
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  j->workers = cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : (int)cpus;
  struct copier c;
  char *s = strdup(j->from), *d = strdup("");
  if (copier_init(&c, j) < 0 || !s || !d || todo_push(j, s, d) < 0) {
    free(s); free(d);
    errno = ENOMEM;
    fail(&c, "copy", j->from);
  }
  // depth first, one directory open at a time on each side
  while (j->ntodo && !c.err) {
    struct dir_todo t = j->todo[--j->ntodo];
    copy_dir(&c, t.src, t.dst);
    free(t.src);
    free(t.dst);
  }
  j->err = c.err;
  j->syscall = c.syscall;
  j->path = c.path;
  c.path = NULL;
  copier_free(&c);
}

static void copy_free(struct copy_job *j) {
  for (size_t i = 0; i < j->ntodo; i++) { free(j->todo[i].src); free(j->todo[i].dst); }
  for (size_t i = 0; i < j->cap_links; i++) free(j->links[i].dst);
  free(j->todo);
  free(j->links);
  free(j->from);
  free(j->path);
  free(j);
}

static void copy_complete(napi_env env, napi_status status, void *arg) {
  struct copy_job *j = arg;
  settle(env, j->deferred, status, NULL, j->err, j->syscall ? j->syscall : "copy", j->path ? j->path : j->from);
  napi_delete_async_work(env, j->work);
  copy_free(j);
}

// copyTree(srcRoot, srcRel, dstRoot) -> Promise<void>: what is beneath srcRel in srcRoot, copied
// into the directory dstRoot (whose own owner and mode the caller sets). Both roots stay open
// until the promise settles.
napi_value x_copy_tree(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value v[3];
  napi_get_cb_info(env, info, &argc, v, NULL, NULL);
  int bad = argc != 3;
  int32_t src_root = -1, dst_root = -1;
  char *from = NULL;
  if (!bad && (napi_get_value_int32(env, v[0], &src_root) != napi_ok || napi_get_value_int32(env, v[2], &dst_root) != napi_ok)) bad = 1;
  if (!bad) from = string_arg(env, v[1], &bad);
  if (bad || !from || src_root < 0 || dst_root < 0) {
    free(from);
    napi_throw_type_error(env, NULL, "copyTree(srcRoot, srcRel, dstRoot): bad arguments");
    return NULL;
  }
  struct copy_job *j = calloc(1, sizeof *j);
  if (!j) { free(from); napi_throw_error(env, "ENOMEM", "copyTree: out of memory"); return NULL; }
  j->src_root = src_root;
  j->dst_root = dst_root;
  j->from = from;
  return queue_work(env, copy_execute, copy_complete, j, &j->deferred, &j->work);
}
