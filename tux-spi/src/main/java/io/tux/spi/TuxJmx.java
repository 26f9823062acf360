package io.tux.spi;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The only class of tux-spi that touches java.management, loaded only when the MBean is registered (inside a
 * try/catch), so that a JVM image without that module still runs the provider.
 *
 * <p>Threading: stateless.
 */
final class TuxJmx {

    private TuxJmx() {
    }

    static void register(TuxMXBean bean, String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = new ObjectName(name);
        if (!server.isRegistered(on)) {
            server.registerMBean(bean, on);
        }
    }
}
