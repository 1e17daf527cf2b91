package org.jupyterhub.kubespawner.templating;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The render of {@link RenderBenchmark} measured in thread CPU time instead of wall time: on a shared machine whose
 * other work preempts the benchmark, wall time measures the load, CPU time much less so. For comparing two builds
 * side by side (docs/benchmarks.md); JMH's figures remain the reference. Warms up with 300,000 renders, then times
 * 10 batches of 50,000 and prints the minimum, median and maximum.
 */
public final class CpuPerRender {

    private CpuPerRender() {}

    /**
     * Runs the measurement.
     *
     * @param args none
     * @throws Exception if the benchmark template does not compile or render
     */
    public static void main(String[] args) throws Exception {
        RenderBenchmark benchmark = new RenderBenchmark();
        benchmark.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Object sink = null;
        for (int i = 0; i < 300_000; i++) {
            sink = benchmark.render();
        }
        int renders = 50_000;
        double[] micros = new double[10];
        for (int batch = 0; batch < micros.length; batch++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < renders; i++) {
                sink = benchmark.render();
            }
            micros[batch] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / renders;
        }
        Arrays.sort(micros);
        System.out.printf(
                "RenderBenchmark.render CPU time: min %.2f, median %.2f, max %.2f us/op (%s)%n",
                micros[0],
                (micros[4] + micros[5]) / 2,
                micros[9],
                sink.getClass().getSimpleName());
    }
}
