/* PLACEHOLDER until the poll helper lands: delete this file when every function below is real. */
#include "wasi_internal.h"

int32_t wasi_poll_oneoff(w2n_instance *caller, uint32_t in, uint32_t out, uint32_t nsubscriptions, uint32_t nevents) { (void)caller; (void)in; (void)out; (void)nsubscriptions; (void)nevents; return WASI_ENOSYS; }
int32_t wasi_sock_accept(w2n_instance *caller, int32_t fd, int32_t flags, uint32_t opened_fd) { (void)caller; (void)fd; (void)flags; (void)opened_fd; return WASI_ENOSYS; }
int32_t wasi_sock_recv(w2n_instance *caller, int32_t fd, uint32_t ri_data, uint32_t ri_data_len, int32_t ri_flags, uint32_t ro_datalen, uint32_t ro_flags) { (void)caller; (void)fd; (void)ri_data; (void)ri_data_len; (void)ri_flags; (void)ro_datalen; (void)ro_flags; return WASI_ENOSYS; }
int32_t wasi_sock_send(w2n_instance *caller, int32_t fd, uint32_t si_data, uint32_t si_data_len, int32_t si_flags, uint32_t so_datalen) { (void)caller; (void)fd; (void)si_data; (void)si_data_len; (void)si_flags; (void)so_datalen; return WASI_ENOSYS; }
int32_t wasi_sock_shutdown(w2n_instance *caller, int32_t fd, int32_t how) { (void)caller; (void)fd; (void)how; return WASI_ENOSYS; }
int32_t wasi_proc_raise(w2n_instance *caller, int32_t signal) { (void)caller; (void)signal; return WASI_ENOSYS; }
