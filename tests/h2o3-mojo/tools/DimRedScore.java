// Golden-output generator for PCA, GLRM and Word2Vec MOJOs (not part of the build).
//   javac -cp h2o.jar -d <dir> DimRedScore.java
//   java -cp h2o.jar:<dir> DimRedScore <mojo> <rows.csv> [--sequential] > scores.txt
// PCA / GLRM: rows.csv holds one score0 row per line (comma-separated doubles, "NaN" allowed); the
// output is Arrays.toString(score0(row, preds)) or the exception's class name. GLRM rows are
// scored with the MOJO's seed for every row, i.e. score0(row, preds, _seed), which is what a
// freshly loaded GlrmMojoModel does for its first row; --sequential scores with score0(row, preds)
// instead (seed + row counter, as PredictCsv does for the i-th row).
// Word2Vec: rows.csv holds one word per line; the output is the word's embedding from
// EasyPredictModelWrapper.predictWord2Vec (floats widened to double), or "null" for an unknown word.
import hex.genmodel.MojoModel;
import hex.genmodel.algos.glrm.GlrmMojoModel;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import java.io.BufferedReader;
import java.io.FileReader;
import java.util.Arrays;

public class DimRedScore {
  public static void main(String[] args) throws Exception {
    MojoModel model = MojoModel.load(args[0]);
    boolean sequential = args.length > 2 && args[2].equals("--sequential");
    EasyPredictModelWrapper wrapper = null;
    if (model.getModelCategory() == hex.ModelCategory.WordEmbedding)
      wrapper = new EasyPredictModelWrapper(model);
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (wrapper != null) {
          RowData row = new RowData();
          row.put("w", line);
          float[] v = wrapper.predictWord2Vec(row).wordEmbeddings.get("w");
          if (v == null) { System.out.println("null"); continue; }
          double[] d = new double[v.length];
          for (int i = 0; i < v.length; i++) d[i] = v[i];
          System.out.println(Arrays.toString(d));
          continue;
        }
        String[] cells = line.split(",");
        double[] row = new double[cells.length];
        for (int i = 0; i < cells.length; i++) row[i] = Double.parseDouble(cells[i]);
        double[] preds = new double[model.getPredsSize(model.getModelCategory())];  // as EasyPredictModelWrapper sizes it
        try {
          if (model instanceof GlrmMojoModel && !sequential) {
            GlrmMojoModel g = (GlrmMojoModel) model;
            g.score0(row, preds, g._seed);
          } else {
            model.score0(row, preds);
          }
          System.out.println(Arrays.toString(preds));
        } catch (Exception e) {
          System.out.println(e.getClass().getName());
        }
      }
    }
  }
}
