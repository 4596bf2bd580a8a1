// Cross-check tool (not part of the build): h2o-genmodel's own TreeSHAP on a MOJO, the way
// EasyPredictModelWrapper computes contributions. Rows as for Score0 (level indices, "NaN").
//   java -cp h2o.jar:. Contrib <mojo> <rows.csv> > contrib.txt
// Prints the float contributions (features..., BiasTerm) as Arrays.toString, or the exception.
import hex.genmodel.MojoModel;
import hex.genmodel.MojoReaderBackendFactory;
import hex.genmodel.PredictContributions;
import hex.genmodel.PredictContributionsFactory;
import hex.genmodel.ModelMojoReader;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileReader;
import java.util.Arrays;

public class Contrib {
  public static void main(String[] args) throws Exception {
    // Metadata (variable importances) is needed for DRF binomial contributions.
    MojoModel model = ModelMojoReader.readFrom(MojoReaderBackendFactory.createReaderBackend(new File(args[0])), true);
    PredictContributions pc;
    try {
      pc = ((PredictContributionsFactory) model).makeContributionsPredictor();
    } catch (Exception e) {
      System.out.println(e.getClass().getName() + ": " + e.getMessage());
      return;
    }
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] cells = line.split(";")[0].split(",");
        double[] row = new double[cells.length];
        for (int i = 0; i < cells.length; i++) row[i] = Double.parseDouble(cells[i]);
        try {
          System.out.println(Arrays.toString(pc.calculateContributions(row)));
        } catch (Exception e) {
          System.out.println(e.getClass().getName());
        }
      }
    }
  }
}
