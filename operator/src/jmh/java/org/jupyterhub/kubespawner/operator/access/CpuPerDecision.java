package org.jupyterhub.kubespawner.operator.access;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The decisions of {@link AccessBenchmark} in thread CPU time instead of wall time: on a shared machine whose other
 * work preempts the benchmark, wall time measures the load, CPU time much less so. Warms up with 300,000 decisions
 * per case, then times 10 batches of 100,000 and prints the minimum, median and maximum. JMH's figures remain the
 * reference.
 */
public final class CpuPerDecision {

    private CpuPerDecision() {}

    /**
     * Runs the measurement for both layouts and both outcomes.
     *
     * @param args none
     */
    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String layout : new String[] {"spread", "oneTemplate"}) {
            AccessBenchmark benchmark = new AccessBenchmark();
            benchmark.layout = layout;
            benchmark.setUp();
            for (boolean granted : new boolean[] {true, false}) {
                Object sink = null;
                for (int i = 0; i < 300_000; i++) {
                    sink = granted ? benchmark.granted() : benchmark.denied();
                }
                int decisions = 100_000;
                double[] micros = new double[10];
                for (int batch = 0; batch < micros.length; batch++) {
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < decisions; i++) {
                        sink = granted ? benchmark.granted() : benchmark.denied();
                    }
                    micros[batch] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / decisions;
                }
                Arrays.sort(micros);
                System.out.printf(
                        "AccessBenchmark.%s (%s) CPU time: min %.2f, median %.2f, max %.2f us/op (%s)%n",
                        granted ? "granted" : "denied",
                        layout,
                        micros[0],
                        (micros[4] + micros[5]) / 2,
                        micros[9],
                        sink.getClass().getSimpleName());
            }
        }
    }
}
