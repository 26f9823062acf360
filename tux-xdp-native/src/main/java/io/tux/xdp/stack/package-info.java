/**
 * {@link io.tux.xdp.stack.AfXdpStack}: the {@link io.tux.core.stack.TuxStack} over AF_XDP links, one link,
 * engine and network thread per (interface, queue), made lazily; and its availability probe.
 */
package io.tux.xdp.stack;
