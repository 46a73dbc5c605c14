#!/usr/bin/python3
"""A FUSE passthrough that makes every file operation wait, like network storage.

    /usr/bin/python3 bench/fuse-delay.py BACKING MOUNTPOINT [DELAY_MS]

Mounts BACKING at MOUNTPOINT (foreground; unmount with `fusermount3 -u` or
SIGTERM) and sleeps DELAY_MS (default 1) in create, open, release, chmod,
chown, utimens, mkdir, rename, unlink and symlink: the per-file round trips
that make one rsync latency-bound on NFS or sshfs, while reads and writes stay
fast. Used by bench/parallel.mjs --latency fuse (Debian: python3-fusepy, fuse3).
"""
import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError, Operations


class Delayed(Operations):
    def __init__(self, root, delay):
        self.root = root
        self.delay = delay

    def _p(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _wait(self):
        time.sleep(self.delay)

    def access(self, path, mode):
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.lstat(self._p(path))
        keys = ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')
        attrs = {k: getattr(st, k) for k in keys}
        attrs['st_atime'], attrs['st_mtime'], attrs['st_ctime'] = st.st_atime_ns / 1e9, st.st_mtime_ns / 1e9, st.st_ctime_ns / 1e9
        return attrs

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._p(path))

    def readlink(self, path):
        return os.readlink(self._p(path))

    def statfs(self, path):
        st = os.statvfs(self._p(path))
        keys = ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')
        return {k: getattr(st, k) for k in keys}

    def chmod(self, path, mode):
        self._wait()
        os.chmod(self._p(path), mode)

    def chown(self, path, uid, gid):
        self._wait()
        os.lchown(self._p(path), uid, gid)

    def utimens(self, path, times=None):
        self._wait()
        os.utime(self._p(path), ns=None if times is None else tuple(int(t * 1e9) for t in times), follow_symlinks=False)

    def mkdir(self, path, mode):
        self._wait()
        os.mkdir(self._p(path), mode)

    def rmdir(self, path):
        os.rmdir(self._p(path))

    def mknod(self, path, mode, dev):
        os.mknod(self._p(path), mode, dev)

    def unlink(self, path):
        self._wait()
        os.unlink(self._p(path))

    def symlink(self, target, source):
        self._wait()
        os.symlink(source, self._p(target))

    def rename(self, old, new):
        self._wait()
        os.rename(self._p(old), self._p(new))

    def link(self, target, source):
        os.link(self._p(source), self._p(target))

    def open(self, path, flags):
        self._wait()
        return os.open(self._p(path), flags)

    def create(self, path, mode, fi=None):
        self._wait()
        return os.open(self._p(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)

    def read(self, path, length, offset, fh):
        return os.pread(fh, length, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        os.truncate(self._p(path), length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        self._wait()
        os.close(fh)

    def fsync(self, path, datasync, fh):
        os.fsync(fh)


if __name__ == '__main__':
    backing, mountpoint = sys.argv[1], sys.argv[2]
    delay_ms = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    # multithreaded: parallel callers wait side by side, as on a network file system
    FUSE(Delayed(os.path.realpath(backing), delay_ms / 1000), mountpoint, foreground=True, nothreads=False, allow_other=True, default_permissions=False)
