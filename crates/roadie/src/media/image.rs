//! Cover art: format, dimensions, colour model and a small PNG thumbnail for the UI. Decoding runs
//! under explicit limits so a hostile or huge file is refused instead of exhausting memory.

use super::{file_size, sha256_file, AssetError};
use base64::Engine;
use image::{ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};
use std::io::{BufReader, Read};
use std::path::Path;
use ts_rs::TS;

/// Larger images are refused (stores ask for 3000–6000 px; 20000 px leaves room).
pub const MAX_IMAGE_SIDE: u32 = 20_000;
/// At most this much memory for the decoded pixels.
pub const MAX_IMAGE_ALLOC: u64 = 1024 * 1024 * 1024;
/// The thumbnail's longest side.
pub const THUMBNAIL_SIDE: u32 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ColorModel {
    Rgb,
    Cmyk,
    Grey,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImageAnalysis {
    pub path: String,
    /// `jpeg` or `png`.
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub square: bool,
    pub color_model: ColorModel,
    pub has_alpha: bool,
    pub size_bytes: u64,
    pub sha256: String,
    /// A PNG of at most 256 px, as a `data:` URL for the UI.
    pub thumbnail: String,
}

/// Number of components in a JPEG's frame header (SOFn): 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK.
fn jpeg_components(path: &Path) -> Option<u8> {
    let mut data = Vec::new();
    // Headers come first; 1 MiB covers EXIF/ICC blocks in front of the frame header.
    std::fs::File::open(path).ok()?.take(1 << 20).read_to_end(&mut data).ok()?;
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return data.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

pub fn analyze_image(path: &Path) -> Result<ImageAnalysis, AssetError> {
    let size = file_size(path)?;
    if size == 0 {
        return Err(AssetError::new(path, "empty_file", "the file is empty (0 bytes)"));
    }
    let not_image = |detail: String| AssetError::new(path, "not_an_image", format!("not a JPEG or PNG image: {detail}"));
    let file = std::fs::File::open(path).map_err(|e| AssetError::io(path, e))?;
    let mut reader = ImageReader::new(BufReader::new(file)).with_guessed_format().map_err(|e| AssetError::io(path, e))?;
    let format = match reader.format() {
        Some(ImageFormat::Jpeg) => "jpeg",
        Some(ImageFormat::Png) => "png",
        Some(other) => return Err(not_image(format!("{other:?} is not accepted"))),
        None => return Err(not_image("unknown format".into())),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => AssetError::new(
            path,
            "image_too_large",
            format!("the image is larger than Roadie reads ({MAX_IMAGE_SIDE} px a side): {l}"),
        ),
        other => AssetError::new(path, "corrupt_image", format!("cannot decode the image: {other}")),
    })?;
    let color = image.color();
    let mut color_model = if color.has_color() { ColorModel::Rgb } else { ColorModel::Grey };
    if format == "jpeg" {
        color_model = match jpeg_components(path) {
            Some(4) => ColorModel::Cmyk,
            Some(1) => ColorModel::Grey,
            Some(3) => ColorModel::Rgb,
            _ => ColorModel::Other,
        };
    }
    let thumb = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    let mut png = std::io::Cursor::new(Vec::new());
    thumb.to_rgba8().write_to(&mut png, ImageFormat::Png).map_err(|e| not_image(e.to_string()))?;
    let thumbnail = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png.into_inner()));
    Ok(ImageAnalysis {
        path: path.display().to_string(),
        format: format.into(),
        width: image.width(),
        height: image.height(),
        square: image.width() == image.height(),
        color_model,
        has_alpha: color.has_alpha(),
        size_bytes: size,
        sha256: sha256_file(path)?,
        thumbnail,
    })
}

#[cfg(test)]
pub(crate) fn jpeg_components_for_test(path: &Path) -> Option<u8> {
    jpeg_components(path)
}
