/* PLACEHOLDER until the fd helper lands: delete this file when every function below is real. */
#include "wasi_internal.h"

int32_t wasi_fd_read(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nread) { (void)caller; (void)fd; (void)iovs; (void)iovs_len; (void)nread; return WASI_ENOSYS; }
int32_t wasi_fd_write(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nwritten) { (void)caller; (void)fd; (void)iovs; (void)iovs_len; (void)nwritten; return WASI_ENOSYS; }
int32_t wasi_fd_pread(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len, int64_t offset, uint32_t nread) { (void)caller; (void)fd; (void)iovs; (void)iovs_len; (void)offset; (void)nread; return WASI_ENOSYS; }
int32_t wasi_fd_pwrite(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len, int64_t offset, uint32_t nwritten) { (void)caller; (void)fd; (void)iovs; (void)iovs_len; (void)offset; (void)nwritten; return WASI_ENOSYS; }
int32_t wasi_fd_seek(w2n_instance *caller, int32_t fd, int64_t offset, int32_t whence, uint32_t new_offset) { (void)caller; (void)fd; (void)offset; (void)whence; (void)new_offset; return WASI_ENOSYS; }
int32_t wasi_fd_tell(w2n_instance *caller, int32_t fd, uint32_t offset) { (void)caller; (void)fd; (void)offset; return WASI_ENOSYS; }
int32_t wasi_fd_sync(w2n_instance *caller, int32_t fd) { (void)caller; (void)fd; return WASI_ENOSYS; }
int32_t wasi_fd_datasync(w2n_instance *caller, int32_t fd) { (void)caller; (void)fd; return WASI_ENOSYS; }
int32_t wasi_fd_advise(w2n_instance *caller, int32_t fd, int64_t offset, int64_t len, int32_t advice) { (void)caller; (void)fd; (void)offset; (void)len; (void)advice; return WASI_ENOSYS; }
int32_t wasi_fd_allocate(w2n_instance *caller, int32_t fd, int64_t offset, int64_t len) { (void)caller; (void)fd; (void)offset; (void)len; return WASI_ENOSYS; }
int32_t wasi_fd_close(w2n_instance *caller, int32_t fd) { (void)caller; (void)fd; return WASI_ENOSYS; }
int32_t wasi_fd_renumber(w2n_instance *caller, int32_t fd, int32_t to) { (void)caller; (void)fd; (void)to; return WASI_ENOSYS; }
int32_t wasi_fd_fdstat_get(w2n_instance *caller, int32_t fd, uint32_t stat) { (void)caller; (void)fd; (void)stat; return WASI_ENOSYS; }
int32_t wasi_fd_fdstat_set_flags(w2n_instance *caller, int32_t fd, int32_t flags) { (void)caller; (void)fd; (void)flags; return WASI_ENOSYS; }
int32_t wasi_fd_fdstat_set_rights(w2n_instance *caller, int32_t fd, int64_t rights_base, int64_t rights_inheriting) { (void)caller; (void)fd; (void)rights_base; (void)rights_inheriting; return WASI_ENOSYS; }
int32_t wasi_fd_filestat_get(w2n_instance *caller, int32_t fd, uint32_t buf) { (void)caller; (void)fd; (void)buf; return WASI_ENOSYS; }
int32_t wasi_fd_filestat_set_size(w2n_instance *caller, int32_t fd, int64_t size) { (void)caller; (void)fd; (void)size; return WASI_ENOSYS; }
int32_t wasi_fd_filestat_set_times(w2n_instance *caller, int32_t fd, int64_t atim, int64_t mtim, int32_t fst_flags) { (void)caller; (void)fd; (void)atim; (void)mtim; (void)fst_flags; return WASI_ENOSYS; }
int32_t wasi_fd_prestat_get(w2n_instance *caller, int32_t fd, uint32_t prestat) { (void)caller; (void)fd; (void)prestat; return WASI_ENOSYS; }
int32_t wasi_fd_prestat_dir_name(w2n_instance *caller, int32_t fd, uint32_t path, uint32_t path_len) { (void)caller; (void)fd; (void)path; (void)path_len; return WASI_ENOSYS; }
int32_t wasi_fd_readdir(w2n_instance *caller, int32_t fd, uint32_t buf, uint32_t buf_len, int64_t cookie, uint32_t bufused) { (void)caller; (void)fd; (void)buf; (void)buf_len; (void)cookie; (void)bufused; return WASI_ENOSYS; }
