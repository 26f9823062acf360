package io.tux.core.link;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes of an in-memory link: numbers for (local, remote) address pairs, and for each route the number the
 * receiving link gave the same pair seen from its side, resolved once and cached. Shared by the links that
 * deliver in memory ({@link MemoryLink}, {@link LoopbackLink}).
 *
 * <p>Threading: {@link #open}/{@link #close} from any thread (the pair list under its own lock, the arrival
 * map concurrent); {@link #arrivalAt} on the sending link's network thread only (its cache is unshared).
 */
final class RouteBook {
    /** (local, remote) by route number; guarded by itself. */
    private final List<List<InetSocketAddress>> pairs = new ArrayList<>();
    /** Route numbers by (remote, local), the key under which arriving packets find their route. */
    private final Map<List<InetSocketAddress>, Integer> byArrival = new ConcurrentHashMap<>();
    /** The receiving book's route number for each of our routes, once known; network thread only. */
    private int[] arrival = new int[0];

    int open(InetSocketAddress local, InetSocketAddress remote) {
        int id;
        synchronized (pairs) {
            pairs.add(List.of(local, remote));
            id = pairs.size() - 1;
        }
        byArrival.put(List.of(remote, local), id);
        return id;
    }

    void close(int route) {
        List<InetSocketAddress> pair;
        synchronized (pairs) {
            pair = pairs.get(route);
            pairs.set(route, null);
        }
        if (pair != null) byArrival.remove(List.of(pair.get(1), pair.get(0)), route);
    }

    /** The number {@code receiver} gave our {@code route}'s pair, or {@link Link#NO_ROUTE} if it has none yet. */
    int arrivalAt(RouteBook receiver, int route) {
        if (route >= arrival.length) {
            int old = arrival.length;
            arrival = Arrays.copyOf(arrival, route + 16);
            Arrays.fill(arrival, old, arrival.length, Link.NO_ROUTE);
        }
        int a = arrival[route];
        if (a == Link.NO_ROUTE) {
            List<InetSocketAddress> pair;
            synchronized (pairs) {
                pair = pairs.get(route);
            }
            Integer found = pair == null ? null : receiver.byArrival.get(pair);
            if (found != null) arrival[route] = a = found;
        }
        return a;
    }
}
