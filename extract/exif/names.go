package exif

// exiftoolNames maps go-exif tag names to exiftool's where the two differ
// (exiftool's Image::ExifTool::Exif tag table, version 12.57). Names not
// listed are the same in both.
var exiftoolNames = map[string]string{
	"ExifTag":                     "ExifOffset",
	"GPSTag":                      "GPSInfo",
	"InteroperabilityTag":         "InteropOffset",
	"InteroperabilityIndex":       "InteropIndex",
	"InteroperabilityVersion":     "InteropVersion",
	"JPEGInterchangeFormat":       "ThumbnailOffset",
	"JPEGInterchangeFormatLength": "ThumbnailLength",
	"DateTimeDigitized":           "CreateDate",
	"ExposureBiasValue":           "ExposureCompensation",
	"ISOSpeedRatings":             "ISO",
	"PixelXDimension":             "ExifImageWidth",
	"PixelYDimension":             "ExifImageHeight",
	"FocalLengthIn35mmFilm":       "FocalLengthIn35mmFormat",
	"CameraOwnerName":             "OwnerName",
	"BodySerialNumber":            "SerialNumber",
	"CameraSerialNumber":          "SerialNumber",
	"LensSpecification":           "LensInfo",
	"ImageLength":                 "ImageHeight",
	"RelatedImageLength":          "RelatedImageHeight",
	"OECF":                        "Opto-ElectricConvFactor",
	"PrintImageMatching":          "PrintIM",
	"InterColorProfile":           "ICC_Profile",
	"IPTCNAA":                     "IPTC-NAA",
	"ImageResources":              "PhotoshopSettings",
	"XMLPacket":                   "ApplicationNotes",
	"ModelPixelScaleTag":          "PixelScale",
	"ModelTiepointTag":            "ModelTiePoint",
	"ModelTransformationTag":      "ModelTransform",
	"SubIFDs":                     "SubIFD",
	"NewSubfileType":              "SubfileType",
	"SubfileType":                 "OldSubfileType",
	"ISOSpeedLatitudeyyy":         "ISOSpeedLatitudeyyy",
	"SubjectArea":                 "SubjectArea",
	"DeviceSettingDescription":    "DeviceSettingDescription",
	"ImageID":                     "ImageID",
	"GPSDOP":                      "GPSDOP",
}

// exiftoolName returns exiftool's name for the tag go-exif calls name.
func exiftoolName(k ifdKind, tag uint16, name string) string {
	switch {
	case tag == 0x828E && k != kindExif:
		return "CFAPattern2" // TIFF-EP CFAPattern in IFD0
	case tag == 0xC630:
		return "DNGLensInfo"
	}
	if n, ok := exiftoolNames[name]; ok {
		return n
	}
	return name
}
