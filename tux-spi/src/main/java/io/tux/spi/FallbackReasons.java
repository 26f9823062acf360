package io.tux.spi;

import io.tux.core.stack.TuxUnavailableException;

/** How the stack's reasons for not carrying a connection appear among the provider's fallback reasons. */
final class FallbackReasons {
    private FallbackReasons() {}

    static FallbackReason of(TuxUnavailableException.Reason r) {
        return switch (r) {
            case DISABLED -> FallbackReason.DISABLED;
            case NO_PRIVILEGE -> FallbackReason.NO_PRIVILEGE;
            case NO_AF_XDP -> FallbackReason.NO_AF_XDP;
            case NO_NATIVE_LIBRARY -> FallbackReason.NO_NATIVE_LIBRARY;
            case NO_NATIVE_ACCESS -> FallbackReason.NO_NATIVE_ACCESS;
            case QUEUE_BUSY -> FallbackReason.QUEUE_BUSY;
            case INTERFACE_BUSY -> FallbackReason.INTERFACE_BUSY;
            case NO_ROUTE -> FallbackReason.NO_ROUTE;
            case UNSUPPORTED_ADDRESS -> FallbackReason.UNSUPPORTED_ADDRESS;
            case PROGRAM_FAILED -> FallbackReason.PROGRAM_FAILED;
            case OTHER -> FallbackReason.ENGINE_ERROR;
        };
    }
}
