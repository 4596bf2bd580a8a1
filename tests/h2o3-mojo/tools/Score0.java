// Golden-output generator (not part of the build): scores raw rows with H2O's Java scorer.
//   javac -cp h2o-genmodel.jar Score0.java
//   java -cp h2o-genmodel.jar:. Score0 <mojo zip or dir> <rows.csv> [--calibrated] > scores.txt
// rows.csv: one row per line, comma-separated doubles in the MOJO's feature order ("NaN" allowed);
// an optional trailing ";<offset>" scores with that offset. Output: Arrays.toString(score0(...)),
// or the exception's class name, one line per row (the mojoland format). With --calibrated the
// probabilities are replaced by calibrateClassProbabilities' (GBM/DRF trained with calibrate_model).
// With --no-offset the offsets are ignored and score0(row, preds) is called (the models without an
// offset: K-Means, Stacked Ensemble, Uplift DRF, Target Encoder throw on the offset overload).
// With --easy a zero offset calls score0(row, preds) instead, as EasyPredictModelWrapper does for a
// model that does not require an offset (RuleFit has no score0 with an offset at all).
// AutoEncoder models get getPredsSize(ModelCategory.AutoEncoder) values (the reconstruction), as
// EasyPredictModelWrapper.predictAutoEncoder passes them.
import hex.genmodel.MojoModel;
import java.io.BufferedReader;
import java.io.FileReader;
import java.util.Arrays;

public class Score0 {
  public static void main(String[] args) throws Exception {
    MojoModel model = MojoModel.load(args[0]);
    boolean calibrated = args.length > 2 && args[2].equals("--calibrated");
    boolean noOffset = args.length > 2 && args[2].equals("--no-offset");
    boolean easy = args.length > 2 && args[2].equals("--easy");
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.split(";");
        String[] cells = parts[0].split(",");
        double[] row = new double[cells.length];
        for (int i = 0; i < cells.length; i++) row[i] = Double.parseDouble(cells[i]);
        double offset = parts.length > 1 ? Double.parseDouble(parts[1]) : 0.0;
        double[] preds = new double[model.getModelCategory() == hex.ModelCategory.AutoEncoder
            ? model.getPredsSize(hex.ModelCategory.AutoEncoder) : model.getPredsSize()];
        try {
          if (noOffset || (easy && offset == 0 && !model.requiresOffset())) model.score0(row, preds);
          else model.score0(row, offset, preds);
          if (calibrated) ((hex.genmodel.algos.tree.SharedTreeMojoModel) model).calibrateClassProbabilities(preds);
          System.out.println(Arrays.toString(preds));
        } catch (Exception e) {
          System.out.println(e.getClass().getName());
        }
      }
    }
  }
}
