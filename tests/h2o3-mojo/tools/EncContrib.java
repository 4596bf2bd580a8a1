// genmodel's contributions of a MOJO the way PredictCsv --predictContributions computes them
// (EasyPredictModelWrapper: the MOJO's categorical encoding applied to the ORIGINAL columns, unknown
// levels as NA, empty cells absent), but with the MOJO's metadata loaded, which DRF needs (PredictCsv
// fails on DRF for want of the variable importances).
//   java -cp h2o.jar:. EncContrib <mojo> <rows.csv with header> > contrib.csv
// Prints PredictCsv's header (the contribution names) and the float contributions per row.
import hex.genmodel.MojoModel;
import hex.genmodel.MojoReaderBackendFactory;
import hex.genmodel.ModelMojoReader;
import hex.genmodel.easy.EasyPredictModelWrapper;
import hex.genmodel.easy.RowData;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileReader;

public class EncContrib {
  public static void main(String[] args) throws Exception {
    MojoModel model = ModelMojoReader.readFrom(MojoReaderBackendFactory.createReaderBackend(new File(args[0])), true);
    EasyPredictModelWrapper w = new EasyPredictModelWrapper(new EasyPredictModelWrapper.Config()
        .setModel(model).setConvertUnknownCategoricalLevelsToNa(true).setEnableContributions(true));
    System.out.println(String.join(",", w.getContributionNames()));
    try (BufferedReader in = new BufferedReader(new FileReader(args[1]))) {
      String[] header = in.readLine().split(",", -1);
      String line;
      while ((line = in.readLine()) != null) {
        String[] cells = line.split(",", -1);
        RowData row = new RowData();
        for (int i = 0; i < header.length && i < cells.length; i++)
          if (!cells[i].isEmpty()) row.put(header[i], cells[i]);
        float[] c = w.predictContributions(row);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length; i++) sb.append(i > 0 ? "," : "").append(Double.toString(c[i]));
        System.out.println(sb);
      }
    }
  }
}
