package io.tux.xdp.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM bindings to the parts of libbpf (libbpf.so.1, 1.1 API, "libbpf 1.0 mode": functions return
 * {@code -errno}, or NULL with errno set) that load and attach the Tux XDP program and edit its maps. Shaped as
 * jextract would generate them: a {@code NAME$MH} handle and a static wrapper per C function.
 *
 * <p>When libbpf.so.1 cannot be loaded, {@link #isAvailable()} is false, {@link #loadFailure()} says why,
 * and the handles are null. Threading: any thread.
 */
@SuppressWarnings("restricted")
public final class LibBpf {

    private LibBpf() {}

    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    public static final int XDP_FLAGS_HW_MODE = 1 << 3;
    public static final int XDP_FLAGS_REPLACE = 1 << 4;
    public static final long BPF_ANY = 0;

    /** sizeof(struct bpf_xdp_attach_opts): size_t sz; int old_prog_fd; padded to 16. */
    public static final long BPF_XDP_ATTACH_OPTS_SIZE = 16;
    /** Offset of {@code name[16]} in struct bpf_prog_info. */
    public static final long BPF_PROG_INFO_NAME = 64;
    /** Offset of {@code nr_map_ids} and {@code map_ids} in struct bpf_prog_info. */
    public static final long BPF_PROG_INFO_NR_MAP_IDS = 52;
    public static final long BPF_PROG_INFO_MAP_IDS = 56;
    public static final int BPF_PROG_INFO_SIZE = 256;
    /** Offset of {@code name[16]} in struct bpf_map_info. */
    public static final long BPF_MAP_INFO_NAME = 24;
    public static final int BPF_MAP_INFO_SIZE = 128;

    private static final Throwable LOAD_FAILURE;
    private static final SymbolLookup LIB;

    static {
        SymbolLookup lib = null;
        Throwable failure = null;
        try {
            lib = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        LIB = lib;
        LOAD_FAILURE = failure;
    }

    /** True when libbpf.so.1 was found and its symbols can be called. */
    public static boolean isAvailable() {
        return LIB != null;
    }

    /** Why libbpf could not be loaded, or null. */
    public static Throwable loadFailure() {
        return LOAD_FAILURE;
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd, boolean errno) {
        if (LIB == null) {
            return null;
        }
        MemorySegment symbol = LIB.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libbpf: no " + name));
        return errno ? LibC.LINKER.downcallHandle(symbol, fd, LibC.CAPTURE_ERRNO)
                : LibC.LINKER.downcallHandle(symbol, fd);
    }

    // struct bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const struct bpf_object_open_opts *o);
    public static final MethodHandle bpf_object__open_mem$MH = handle("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), true);
    // int bpf_object__load(struct bpf_object *obj);
    public static final MethodHandle bpf_object__load$MH =
            handle("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    // void bpf_object__close(struct bpf_object *obj);
    public static final MethodHandle bpf_object__close$MH =
            handle("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS), false);
    // struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name);
    public static final MethodHandle bpf_object__find_program_by_name$MH = handle(
            "bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false);
    // int bpf_program__fd(const struct bpf_program *prog);
    public static final MethodHandle bpf_program__fd$MH =
            handle("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    // int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name);
    public static final MethodHandle bpf_object__find_map_fd_by_name$MH = handle(
            "bpf_object__find_map_fd_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
    // int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags, const struct bpf_xdp_attach_opts *opts);
    public static final MethodHandle bpf_xdp_attach$MH = handle("bpf_xdp_attach",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);
    // int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts);
    public static final MethodHandle bpf_xdp_detach$MH = handle("bpf_xdp_detach",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);
    // int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id);
    public static final MethodHandle bpf_xdp_query_id$MH = handle("bpf_xdp_query_id",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);
    // int bpf_prog_get_fd_by_id(__u32 id);
    public static final MethodHandle bpf_prog_get_fd_by_id$MH =
            handle("bpf_prog_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    // int bpf_map_get_fd_by_id(__u32 id);
    public static final MethodHandle bpf_map_get_fd_by_id$MH =
            handle("bpf_map_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    // int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);
    public static final MethodHandle bpf_obj_get_info_by_fd$MH = handle("bpf_obj_get_info_by_fd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), false);
    // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
    public static final MethodHandle bpf_map_update_elem$MH = handle("bpf_map_update_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), false);
    // int bpf_map_lookup_elem(int fd, const void *key, void *value);
    public static final MethodHandle bpf_map_lookup_elem$MH = handle("bpf_map_lookup_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), false);
    // int bpf_map_delete_elem(int fd, const void *key);
    public static final MethodHandle bpf_map_delete_elem$MH =
            handle("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
    // int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts);
    public static final MethodHandle bpf_prog_test_run_opts$MH = handle("bpf_prog_test_run_opts",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
    /** sizeof(struct bpf_test_run_opts) in libbpf 1.1, and offsets of the fields we use. */
    public static final long BPF_TEST_RUN_OPTS_SIZE = 80;
    public static final long BPF_TEST_RUN_DATA_IN = 8;
    public static final long BPF_TEST_RUN_DATA_SIZE_IN = 24;
    public static final long BPF_TEST_RUN_RETVAL = 56;

    public static int bpf_prog_test_run_opts(int progFd, MemorySegment opts) {
        try {
            return (int) bpf_prog_test_run_opts$MH.invokeExact(progFd, opts);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);
    public static final MethodHandle libbpf_set_print$MH =
            handle("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS), false);

    public static MemorySegment bpf_object__open_mem(MemorySegment buf, long size, MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_mem$MH.invokeExact(LibC.callState(), buf, size, opts);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_object__load(MemorySegment obj) {
        try {
            return (int) bpf_object__load$MH.invokeExact(obj);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void bpf_object__close(MemorySegment obj) {
        try {
            bpf_object__close$MH.invokeExact(obj);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static MemorySegment bpf_object__find_program_by_name(MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_program_by_name$MH.invokeExact(obj, name);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_program__fd(MemorySegment prog) {
        try {
            return (int) bpf_program__fd$MH.invokeExact(prog);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_object__find_map_fd_by_name(MemorySegment obj, MemorySegment name) {
        try {
            return (int) bpf_object__find_map_fd_by_name$MH.invokeExact(obj, name);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_xdp_attach(int ifindex, int progFd, int flags, MemorySegment opts) {
        try {
            return (int) bpf_xdp_attach$MH.invokeExact(ifindex, progFd, flags, opts);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_xdp_detach(int ifindex, int flags, MemorySegment opts) {
        try {
            return (int) bpf_xdp_detach$MH.invokeExact(ifindex, flags, opts);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_xdp_query_id(int ifindex, int flags, MemorySegment progId) {
        try {
            return (int) bpf_xdp_query_id$MH.invokeExact(ifindex, flags, progId);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_prog_get_fd_by_id(int id) {
        try {
            return (int) bpf_prog_get_fd_by_id$MH.invokeExact(id);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_map_get_fd_by_id(int id) {
        try {
            return (int) bpf_map_get_fd_by_id$MH.invokeExact(id);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_obj_get_info_by_fd(int fd, MemorySegment info, MemorySegment infoLen) {
        try {
            return (int) bpf_obj_get_info_by_fd$MH.invokeExact(fd, info, infoLen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_map_update_elem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) bpf_map_update_elem$MH.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_map_lookup_elem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) bpf_map_lookup_elem$MH.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bpf_map_delete_elem(int fd, MemorySegment key) {
        try {
            return (int) bpf_map_delete_elem$MH.invokeExact(fd, key);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static MemorySegment libbpf_set_print(MemorySegment fn) {
        try {
            return (MemorySegment) libbpf_set_print$MH.invokeExact(fn);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
