package io.tux.xdp.route;

/**
 * Tells a {@link RouteCache} whether what a route depends on may have changed: routes, interface addresses,
 * links (up/down, MAC, MTU) or neighbours of this network namespace. The live implementation is
 * {@link NetlinkChanges}; tests substitute a scripted one.
 *
 * <p>Threading: {@link #changed()} is called by one thread at a time (the cache calls it under its lock).
 */
public interface NetChanges extends AutoCloseable {

    /**
     * True if anything may have changed since the previous call (or since this watch was opened, on the first
     * call). A watch that cannot tell (it lost messages, or failed) must answer true.
     */
    boolean changed();

    /** Stops watching; later calls of {@link #changed()} answer true. */
    @Override
    void close();
}
