package io.jitsparse.env.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes (the MNIST / Fashion-MNIST format), gzipped or raw, and checks
 * that the header and the amount of data agree exactly.
 *
 * <p>Format: a 4-byte big-endian magic number {@code 0x00 0x00 type ndims} (type {@code 0x08} =
 * unsigned byte), then {@code ndims} big-endian 32-bit dimensions, then the data.
 */
public final class IdxReader {

  /** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int UNSIGNED_BYTE_TYPE = 0x08;
  private static final int TYPE_SHIFT = 8;
  private static final int DIMS_MASK = 0xff;
  private static final int GZIP_MAGIC_FIRST = 0x1f;
  private static final int GZIP_MAGIC_SECOND = 0x8b;
  private static final int GZIP_MAGIC_LENGTH = 2;
  private static final int BUFFER_BYTES = 1 << 16;

  /**
   * The largest data size we accept; Java arrays cannot be longer, and {@link
   * InputStream#readNBytes(int)} needs a little headroom.
   */
  private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8L;

  private IdxReader() {}

  /**
   * Reads an images file: magic {@link #IMAGES_MAGIC}.
   *
   * @throws DataFileException if the file is missing, unreadable or malformed
   */
  public static IdxArray readImages(Path file) {
    return read(file, IMAGES_MAGIC);
  }

  /**
   * Reads a labels file: magic {@link #LABELS_MAGIC}.
   *
   * @throws DataFileException if the file is missing, unreadable or malformed
   */
  public static IdxArray readLabels(Path file) {
    return read(file, LABELS_MAGIC);
  }

  /**
   * Reads an unsigned-byte IDX file whose magic number must be {@code expectedMagic}.
   *
   * @param file the file, gzipped (detected by its first two bytes) or raw
   * @param expectedMagic {@code 0x0000080N} for an N-dimensional unsigned-byte array
   * @throws DataFileException if the file is missing or unreadable, has another magic number, has a
   *     negative or too large dimension, or holds fewer or more data bytes than the header says
   */
  public static IdxArray read(Path file, int expectedMagic) {
    MessageDigest digest = sha256();
    try (InputStream disk = Files.newInputStream(file);
        DigestInputStream hashed = new DigestInputStream(disk, digest);
        BufferedInputStream buffered = new BufferedInputStream(hashed, BUFFER_BYTES)) {
      boolean gzipped = startsWithGzipMagic(buffered);
      InputStream content = gzipped ? new GZIPInputStream(buffered, BUFFER_BYTES) : buffered;
      Parsed parsed = parse(file, content, expectedMagic, gzipped);
      // The hash covers the whole file as stored, including anything after the gzip stream.
      buffered.transferTo(OutputStream.nullOutputStream());
      return new IdxArray(parsed.dims(), parsed.data(), HexFormat.of().formatHex(digest.digest()));
    } catch (NoSuchFileException e) {
      throw new DataFileException(file, "no such file", e);
    } catch (ZipException | EOFException e) {
      throw new DataFileException(file, "truncated or corrupt gzip data: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataFileException(file, "cannot read: " + e, e);
    }
  }

  /** Header dimensions and data, before the file's hash is known. */
  private record Parsed(int[] dims, byte[] data) {}

  private static Parsed parse(Path file, InputStream in, int expectedMagic, boolean gzipped)
      throws IOException {
    String where = gzipped ? " (after gunzip)" : "";
    int magic = readHeaderInt(file, in, where);
    if (magic != expectedMagic) {
      throw new DataFileException(
          file,
          "wrong magic number: expected "
              + describeMagic(expectedMagic)
              + " but found "
              + describeMagic(magic));
    }
    int[] dims = new int[magic & DIMS_MASK];
    long dataBytes = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = readHeaderInt(file, in, where);
      if (dims[i] < 0) {
        throw new DataFileException(
            file, "dimension " + i + " is " + Integer.toUnsignedString(dims[i]) + ", too large");
      }
      dataBytes *= dims[i];
      if (dataBytes > MAX_DATA_BYTES) {
        throw new DataFileException(
            file, "header declares more than " + MAX_DATA_BYTES + " bytes of data, too large");
      }
    }
    // readNBytes grows its buffer as data arrives, so a lying header cannot force a huge
    // allocation.
    byte[] data = in.readNBytes((int) dataBytes);
    if (data.length < dataBytes) {
      throw new DataFileException(
          file,
          "truncated: header says "
              + describeDims(dims, dataBytes)
              + " but only "
              + data.length
              + " bytes of data follow the header"
              + where);
    }
    long extra = in.transferTo(OutputStream.nullOutputStream());
    if (extra > 0) {
      throw new DataFileException(
          file,
          "trailing data: header says "
              + describeDims(dims, dataBytes)
              + " but "
              + (dataBytes + extra)
              + " bytes of data follow the header"
              + where
              + ", "
              + extra
              + " more than expected");
    }
    return new Parsed(dims, data);
  }

  /**
   * Reads one big-endian header int. Not {@link java.io.DataInputStream#readInt}: that reports a
   * plain end of file and a broken gzip stream with the same exception type.
   */
  private static int readHeaderInt(Path file, InputStream in, String where) throws IOException {
    byte[] bytes = in.readNBytes(Integer.BYTES);
    if (bytes.length < Integer.BYTES) {
      throw new DataFileException(file, "truncated: the file ends inside the IDX header" + where);
    }
    return ByteBuffer.wrap(bytes).getInt();
  }

  private static boolean startsWithGzipMagic(BufferedInputStream in) throws IOException {
    in.mark(GZIP_MAGIC_LENGTH);
    int first = in.read();
    int second = in.read();
    in.reset();
    return first == GZIP_MAGIC_FIRST && second == GZIP_MAGIC_SECOND;
  }

  private static String describeMagic(int magic) {
    String hex = String.format("0x%08x", magic);
    int type = (magic >>> TYPE_SHIFT) & DIMS_MASK;
    boolean wellFormed = (magic >>> (2 * TYPE_SHIFT)) == 0;
    if (wellFormed && type == UNSIGNED_BYTE_TYPE) {
      return hex + " (unsigned byte, " + (magic & DIMS_MASK) + " dims)";
    }
    return hex;
  }

  private static String describeDims(int[] dims, long dataBytes) {
    StringBuilder text = new StringBuilder();
    if (dims.length == 0) {
      text.append("a scalar");
    } else {
      text.append(dims[0]).append(" items");
      if (dims.length > 1) {
        text.append(" of ");
        for (int i = 1; i < dims.length; i++) {
          text.append(i > 1 ? "x" : "").append(dims[i]);
        }
      }
    }
    return text.append(" (").append(dataBytes).append(" bytes)").toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException(e);
    }
  }
}
