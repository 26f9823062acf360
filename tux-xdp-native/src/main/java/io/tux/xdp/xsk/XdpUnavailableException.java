package io.tux.xdp.xsk;

import io.tux.xdp.ffi.LibC;

/**
 * AF_XDP cannot be used here, and why. The caller falls back to kernel TCP; nothing was left half set up.
 */
public final class XdpUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why AF_XDP is unavailable. */
    public enum Reason {
        /** Missing CAP_NET_ADMIN / CAP_BPF / CAP_NET_RAW (EPERM, EACCES). */
        NO_PRIVILEGE,
        /** Another AF_XDP socket (maybe in another process) already owns this interface queue (EBUSY). */
        QUEUE_BUSY,
        /** The kernel has no AF_XDP sockets (EAFNOSUPPORT) or the interface cannot do XDP. */
        NO_AF_XDP,
        /** libbpf.so.1 cannot be loaded. */
        NO_LIBBPF,
        /** No such interface. */
        NO_INTERFACE,
        /** The interface has no such queue. */
        NO_QUEUE,
        /** Another XDP program, or the Tux program of another live process, is attached to the interface. */
        INTERFACE_BUSY,
        /** The Tux XDP program could not be read, loaded or attached. */
        PROGRAM_FAILED,
        /** Memory for the UMEM or rings could not be obtained (ENOMEM, locked memory limit). */
        NO_MEMORY,
        /** Any other failure; the message says which call and errno. */
        OTHER
    }

    private final Reason reason;

    public XdpUnavailableException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Classifies the errno of a failed call. */
    static XdpUnavailableException of(String call, int errno) {
        Reason reason = switch (errno) {
            case LibC.EPERM, LibC.EACCES -> Reason.NO_PRIVILEGE;
            case LibC.EBUSY -> Reason.QUEUE_BUSY;
            case LibC.EAFNOSUPPORT -> Reason.NO_AF_XDP;
            case LibC.ENODEV, LibC.ENXIO -> Reason.NO_INTERFACE;
            case LibC.ENOMEM, LibC.ENOBUFS -> Reason.NO_MEMORY;
            default -> Reason.OTHER;
        };
        return new XdpUnavailableException(reason, call + " failed, errno " + errno);
    }
}
