package org.jupyterhub.kubespawner.templating;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link ExtraObjectsBenchmark} in thread CPU time (like {@link CpuPerRender}: on a loaded shared machine wall time
 * measures the load): for 0, 1, 3 and 12 extra objects, warms up with 100,000 renders, times 10 batches of 20,000,
 * and prints the median per render and the cost per added object (the difference to 0, divided by the count).
 */
public final class CpuPerExtraObject {

    private CpuPerExtraObject() {}

    /**
     * Runs the measurement.
     *
     * @param args none
     * @throws Exception if a benchmark template does not compile or render
     */
    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double base = 0;
        for (int count : new int[] {0, 1, 3, 12}) {
            ExtraObjectsBenchmark benchmark = new ExtraObjectsBenchmark();
            benchmark.extraObjects = count;
            benchmark.setUp();
            Object sink = null;
            for (int i = 0; i < 100_000; i++) {
                sink = benchmark.render();
            }
            int renders = 20_000;
            double[] micros = new double[10];
            for (int batch = 0; batch < micros.length; batch++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < renders; i++) {
                    sink = benchmark.render();
                }
                micros[batch] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / renders;
            }
            Arrays.sort(micros);
            double median = (micros[4] + micros[5]) / 2;
            if (count == 0) {
                base = median;
            }
            System.out.printf(
                    "extraObjects=%d: CPU time min %.2f, median %.2f, max %.2f us/render; per added object %s (%s)%n",
                    count,
                    micros[0],
                    median,
                    micros[9],
                    count == 0 ? "-" : String.format("%.2f us", (median - base) / count),
                    sink.getClass().getSimpleName());
        }
    }
}
