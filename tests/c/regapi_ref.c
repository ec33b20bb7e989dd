/*
 * C liburing 2.15 (vendor/liburing/src, linked as liburing_c) doing what
 * tests/register_new.rs does with bare_uring: ring resize, registered wait
 * regions, query, zero-copy receive registration, BPF filters. Each
 * wrapper builds the structures the way liburing's own tests do and calls
 * liburing's function on a real ring, so the Rust test can compare what
 * the kernel answered to C with what it answered to Rust (return values,
 * and the bytes it wrote back).
 */
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "liburing.h"

/* io_uring_queue_init_params(entries, flags), then
 * io_uring_resize_rings() to (sq, cq, rflags); *out gets the params the
 * resize returned. After a successful resize a NOP queued before it is
 * submitted and reaped through the new rings: *nop_ud is its user_data
 * (or a negative errno). Returns the resize's result. */
int ref_resize(unsigned entries, unsigned flags, unsigned sq, unsigned cq,
	       unsigned rflags, struct io_uring_params *out, long long *nop_ud)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	ret = io_uring_queue_init_params(entries, &ring, &p);
	if (ret)
		return 1000 + ret;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 0x5eed;
	io_uring_submit(&ring);

	memset(out, 0, sizeof(*out));
	out->sq_entries = sq;
	out->cq_entries = cq;
	out->flags = rflags;
	ret = io_uring_resize_rings(&ring, out);
	*nop_ud = -1;
	if (!ret) {
		int r = io_uring_wait_cqe(&ring, &cqe);
		if (r) {
			*nop_ud = r;
		} else {
			*nop_ud = cqe->user_data;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/* An R_DISABLED ring with a one-page wait region (user memory, never
 * freed: the kernel keeps it pinned), entry 0 a timeout of ts_nsec, entry
 * `flags_index` with flags 1 << 5 (unknown); *rd_out gets the region
 * descriptor as the kernel wrote it back. Then
 * io_uring_submit_and_wait_reg(ring, &cqe, 1, index): its result is in
 * *wait_ret. Returns io_uring_register_region()'s result. */
int ref_wait_reg(long long ts_nsec, int index, unsigned flags_index,
		 struct io_uring_region_desc *rd_out, int *wait_ret)
{
	struct io_uring_mem_region_reg mr;
	struct io_uring_region_desc rd;
	struct io_uring_reg_wait *w;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	long page = sysconf(_SC_PAGESIZE);
	void *mem;
	int ret;

	ret = io_uring_queue_init(8, &ring, IORING_SETUP_R_DISABLED);
	if (ret)
		return 1000 + ret;
	mem = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 2000;
	w = mem;
	w[0].ts.tv_sec = 0;
	w[0].ts.tv_nsec = ts_nsec;
	w[0].flags = IORING_REG_WAIT_TS;
	w[flags_index].flags = 1u << 5;

	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64)(unsigned long)mem;
	rd.size = page;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&mr, 0, sizeof(mr));
	mr.region_uptr = (__u64)(unsigned long)&rd;
	mr.flags = IORING_MEM_REGION_REG_WAIT_ARG;
	ret = io_uring_register_region(&ring, &mr);
	*rd_out = rd;
	if (ret) {
		io_uring_queue_exit(&ring);
		return ret;
	}
	io_uring_enable_rings(&ring);
	cqe = NULL;
	*wait_ret = io_uring_submit_and_wait_reg(&ring, &cqe, 1, index);
	io_uring_queue_exit(&ring);
	return 0;
}

/* io_uring_register_region() with REG_WAIT_ARG on a ring that is enabled
 * (no R_DISABLED): the kernel refuses it. */
int ref_region_enabled_ring(void)
{
	struct io_uring_mem_region_reg mr;
	struct io_uring_region_desc rd;
	struct io_uring ring;
	static char mem[65536] __attribute__((aligned(65536)));
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		return 1000 + ret;
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64)(unsigned long)mem;
	rd.size = sysconf(_SC_PAGESIZE);
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&mr, 0, sizeof(mr));
	mr.region_uptr = (__u64)(unsigned long)&rd;
	mr.flags = IORING_MEM_REGION_REG_WAIT_ARG;
	ret = io_uring_register_region(&ring, &mr);
	io_uring_queue_exit(&ring);
	return ret;
}

int ref_register_wait_reg(void)
{
	struct io_uring ring;
	struct io_uring_reg_wait w[2];
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		return 1000 + ret;
	memset(w, 0, sizeof(w));
	ret = io_uring_register_wait_reg(&ring, w, 2);
	io_uring_queue_exit(&ring);
	return ret;
}

/* One IO_URING_QUERY_OPCODES header, as liburing's test/query.c builds
 * it; *hdr_out is the header as the kernel wrote it back. Returns
 * io_uring_register_query()'s result. */
int ref_query(unsigned op, void *data, unsigned size,
	      struct io_uring_query_hdr *hdr_out)
{
	struct io_uring_query_hdr hdr;
	int ret;

	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = op;
	hdr.query_data = (__u64)(unsigned long)data;
	hdr.size = size;
	ret = io_uring_register_query(&hdr);
	*hdr_out = hdr;
	return ret;
}

/* A zero-copy receive registration for interface `if_idx` queue `rxq`, as
 * liburing's test/zcrx.c builds it: an area of `area_len` bytes and a
 * refill ring region in user memory (neither freed: the kernel may keep
 * them), on a DEFER_TASKRUN | SINGLE_ISSUER | CQE32 ring. *reg_out is the
 * registration as the kernel wrote it back. Returns
 * io_uring_register_ifq()'s result. */
int ref_register_ifq(unsigned if_idx, unsigned rxq, unsigned rq_entries,
		     unsigned long area_len, unsigned long region_len,
		     struct io_uring_zcrx_ifq_reg *reg_out)
{
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring ring;
	void *area_mem, *ring_mem;
	int ret;

	ret = io_uring_queue_init(8, &ring, IORING_SETUP_DEFER_TASKRUN |
				  IORING_SETUP_SINGLE_ISSUER |
				  IORING_SETUP_CQE32);
	if (ret)
		return 1000 + ret;
	area_mem = mmap(NULL, area_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ring_mem = mmap(NULL, region_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area_mem == MAP_FAILED || ring_mem == MAP_FAILED)
		return 2000;
	memset(&area, 0, sizeof(area));
	area.addr = (__u64)(unsigned long)area_mem;
	area.len = area_len;
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64)(unsigned long)ring_mem;
	rd.size = region_len;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&reg, 0, sizeof(reg));
	reg.if_idx = if_idx;
	reg.if_rxq = rxq;
	reg.rq_entries = rq_entries;
	reg.area_ptr = (__u64)(unsigned long)&area;
	reg.region_ptr = (__u64)(unsigned long)&rd;
	ret = io_uring_register_ifq(&ring, &reg);
	*reg_out = reg;
	io_uring_queue_exit(&ring);
	return ret;
}

/* io_uring_register_zcrx_ctrl() for queue `id`, op `op` on a ring that
 * has no zero-copy receive queue (ring flags `flags`). */
int ref_zcrx_ctrl(unsigned flags, unsigned id, unsigned op)
{
	struct io_uring ring;
	struct zcrx_ctrl ctrl;
	int ret;

	ret = io_uring_queue_init(8, &ring, flags);
	if (ret)
		return 1000 + ret;
	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = id;
	ctrl.op = op;
	ret = io_uring_register_zcrx_ctrl(&ring, &ctrl);
	io_uring_queue_exit(&ring);
	return ret;
}

/* A one-instruction cBPF program "return `verdict`" on `opcode`, registered
 * with io_uring_register_bpf_filter() on a ring set up with `flags`
 * (enabled afterwards if R_DISABLED). Then a NOP is submitted: its res is
 * in *nop_res. Returns the registration's result; *bpf_out is the
 * registration as the kernel left it. */
int ref_bpf_filter(unsigned flags, unsigned opcode, unsigned fflags,
		   unsigned verdict, struct io_uring_bpf *bpf_out, int *nop_res)
{
	struct sock_filter prog[1] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring_bpf bpf;
	struct io_uring ring;
	int ret;

	prog[0].k = verdict;
	ret = io_uring_queue_init(8, &ring, flags);
	if (ret)
		return 1000 + ret;
	memset(&bpf, 0, sizeof(bpf));
	bpf.cmd_type = IO_URING_BPF_CMD_FILTER;
	bpf.filter.opcode = opcode;
	bpf.filter.flags = fflags;
	bpf.filter.filter_len = 1;
	bpf.filter.filter_ptr = (__u64)(unsigned long)prog;
	ret = io_uring_register_bpf_filter(&ring, &bpf);
	*bpf_out = bpf;
	if (flags & IORING_SETUP_R_DISABLED)
		io_uring_enable_rings(&ring);
	*nop_res = 1;
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_submit(&ring);
	if (!io_uring_wait_cqe(&ring, &cqe)) {
		*nop_res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/* io_uring_register_bpf_filter_task() with a "return `verdict`" program on
 * `opcode` (flags `fflags`); for the calling task, irrevocably: call it in
 * a child process. */
int ref_bpf_filter_task(unsigned opcode, unsigned fflags, unsigned verdict,
			unsigned cmd_type)
{
	struct sock_filter prog[1] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct io_uring_bpf bpf;

	prog[0].k = verdict;
	memset(&bpf, 0, sizeof(bpf));
	bpf.cmd_type = cmd_type;
	bpf.filter.opcode = opcode;
	bpf.filter.flags = fflags;
	bpf.filter.filter_len = 1;
	bpf.filter.filter_ptr = (__u64)(unsigned long)prog;
	return io_uring_register_bpf_filter_task(&bpf);
}
