package io.tux.xdp.route;

import io.tux.xdp.frame.MacAddress;
import java.net.InetSocketAddress;

/**
 * Child-JVM entry for namespace tests: {@code ResolveMain <local> <remote>...} resolves each remote (port 7000)
 * from the local address and prints {@code ROUTE <remote> <iface> <ifindex> <queue> <srcmac> <dstmac> <nexthop>
 * <mtu>} per remote, or {@code ERROR <remote> <message>}; then {@code DONE}.
 */
public final class ResolveMain {

    private ResolveMain() {
    }

    public static void main(String[] args) {
        RouteResolver resolver = new RouteResolver();
        InetSocketAddress local = new InetSocketAddress(args[0], 7000);
        for (int i = 1; i < args.length; i++) {
            try {
                RouteInfo r = resolver.resolve(local, new InetSocketAddress(args[i], 7000));
                System.out.println("ROUTE " + args[i] + " " + r.interfaceName() + " " + r.ifIndex() + " " + r.queueId()
                        + " " + MacAddress.format(r.sourceMac()) + " " + MacAddress.format(r.nextHopMac()) + " "
                        + r.nextHop().getHostAddress() + " " + r.mtu());
            } catch (Exception e) {
                System.out.println("ERROR " + args[i] + " " + e);
            }
        }
        System.out.println("DONE");
    }
}
