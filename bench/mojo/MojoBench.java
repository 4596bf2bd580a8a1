// h2o-genmodel side of the MOJO benchmark (not built by CMake; bench/mojo/run.sh compiles it with
// javac against the h2o.jar of the `h2o` 3.46.0.11 wheel).
//
//   java -cp h2o.jar:. MojoBench <mojo> <rows.csv> <max rows> <seconds> <threads> <wrapper|score0>
//
// Loads the MOJO (timed, 5 loads, median; heap retained by one model), reads up to <max rows>
// rows of the CSV, warms the JIT up on every thread, then scores the rows in a loop for
// <seconds> on <threads> threads and prints one "RESULT key=value ..." line.
//   wrapper: EasyPredictModelWrapper.predict(RowData) per row (strings in, as a Java service does)
//   score0:  MojoModel.score0(double[], double[]) on pre-encoded rows (the bare scorer)
import hex.genmodel.GenModel;
import hex.genmodel.MojoModel;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import java.io.BufferedReader;
import java.io.FileReader;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

public class MojoBench {
  public static void main(String[] args) throws Exception {
    final String mojo = args[0];
    final int maxRows = Integer.parseInt(args[2]);
    final double seconds = Double.parseDouble(args[3]);
    final int threads = Integer.parseInt(args[4]);
    final boolean wrapperMode = args[5].equals("wrapper");

    // Load time (median of 5) and the heap one loaded model keeps.
    long[] loads = new long[5];
    for (int i = 0; i < loads.length; i++) {
      long t0 = System.nanoTime();
      MojoModel.load(mojo);
      loads[i] = System.nanoTime() - t0;
    }
    Arrays.sort(loads);
    long heapBefore = usedHeap();
    final MojoModel model = MojoModel.load(mojo);
    long heapAfter = usedHeap();

    // Rows: RowData (strings) for the wrapper, level-encoded doubles for score0.
    List<RowData> rowData = new ArrayList<>();
    List<double[]> rowDoubles = new ArrayList<>();
    String[] names = model.getNames();
    int nf = model.nfeatures();
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      String[] header = in.readLine().split(",", -1);
      String line;
      while (rowData.size() < maxRows && (line = in.readLine()) != null) {
        String[] cells = line.split(",", -1);
        RowData r = new RowData();
        for (int i = 0; i < header.length; i++) if (!cells[i].isEmpty()) r.put(header[i], cells[i]);
        rowData.add(r);
        double[] d = new double[nf];
        for (int f = 0; f < nf; f++) {
          int j = Arrays.asList(header).indexOf(names[f]);
          String v = j < 0 ? "" : cells[j];
          String[] dom = model.getDomainValues(f);
          if (v.isEmpty()) d[f] = Double.NaN;
          else if (dom != null) { int k = Arrays.asList(dom).indexOf(v); d[f] = k < 0 ? Double.NaN : k; }
          else d[f] = Double.parseDouble(v);
        }
        rowDoubles.add(d);
      }
    }
    final int n = rowData.size();
    final RowData[] rd = rowData.toArray(new RowData[0]);
    final double[][] rows = rowDoubles.toArray(new double[0][]);

    final AtomicLong scored = new AtomicLong();
    final AtomicLong cpuNanos = new AtomicLong();  // thread CPU time in the window: rows per CPU-second
    final java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    final DoubleAdder sink = new DoubleAdder();
    final double warmup = Math.max(3.0, seconds / 2);
    Thread[] ts = new Thread[threads];
    final long[] window = new long[2];
    final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads + 1);
    final java.util.concurrent.CyclicBarrier stop = new java.util.concurrent.CyclicBarrier(threads + 1);
    for (int t = 0; t < threads; t++) {
      final int offset = (int) ((long) n * t / threads);
      ts[t] = new Thread(() -> {
        try {
          EasyPredictModelWrapper w = new EasyPredictModelWrapper(
              new EasyPredictModelWrapper.Config().setModel(model).setConvertUnknownCategoricalLevelsToNa(true));
          double[] preds = new double[model.getPredsSize()];
          double acc = 0;
          int i = offset;
          // JIT warm-up on the same code path, then the timed window.
          long end = System.nanoTime() + (long) (warmup * 1e9);
          while (System.nanoTime() < end) {
            for (int k = 0; k < 256; k++, i = (i + 1) % n) acc += one(w, model, rd[i], rows[i], preds, wrapperMode);
          }
          start.await();
          long cpu0 = mx.getCurrentThreadCpuTime();
          long count = 0;
          end = System.nanoTime() + (long) (seconds * 1e9);
          while (System.nanoTime() < end) {
            for (int k = 0; k < 256; k++, i = (i + 1) % n) acc += one(w, model, rd[i], rows[i], preds, wrapperMode);
            count += 256;
          }
          cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
          scored.addAndGet(count);
          sink.add(acc);
          stop.await();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      ts[t].start();
    }
    start.await();
    window[0] = System.nanoTime();
    stop.await();
    window[1] = System.nanoTime();
    for (Thread t : ts) t.join();
    double elapsed = (window[1] - window[0]) / 1e9;
    long rss = rssKb();
    System.out.printf("RESULT impl=java-%s threads=%d rows=%d rows_per_s=%.0f rows_per_cpu_s=%.0f load_ms=%.2f heap_kb=%d rss_kb=%d sink=%.3f%n",
        wrapperMode ? "wrapper" : "score0", threads, n, scored.get() / elapsed, scored.get() / (cpuNanos.get() / 1e9), loads[loads.length / 2] / 1e6,
        (heapAfter - heapBefore) / 1024, rss, sink.sum());
  }

  static double one(EasyPredictModelWrapper w, MojoModel m, RowData rd, double[] row, double[] preds, boolean wrapper)
      throws Exception {
    if (wrapper) {
      hex.genmodel.easy.prediction.AbstractPrediction p = w.predict(rd);
      if (p instanceof hex.genmodel.easy.prediction.BinomialModelPrediction)
        return ((hex.genmodel.easy.prediction.BinomialModelPrediction) p).classProbabilities[1];
      return ((hex.genmodel.easy.prediction.RegressionModelPrediction) p).value;
    }
    Arrays.fill(preds, 0);
    m.score0(row, preds);
    return preds[preds.length - 1];
  }

  static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) { System.gc(); Thread.sleep(50); }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static long rssKb() throws Exception {
    try (BufferedReader in = new BufferedReader(new FileReader("/proc/self/status"))) {
      String line;
      while ((line = in.readLine()) != null)
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return -1;
  }
}
