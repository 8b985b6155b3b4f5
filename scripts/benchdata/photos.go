package main

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/pangolin-forensics/pangolin/internal/testphoto"
)

// photoCount is how many photos the photos set holds: 2000, or the count
// given after DIR.
var photoCount = 2000

// cameras are the phones the photos are taken with.
var cameras = []testphoto.Camera{
	{Make: "samsung", Model: "SM-A515F", Software: "A515FXXU5HVA1"},
	{Make: "Apple", Model: "iPhone 12", Software: "16.5"},
	{Make: "TECNO", Model: "TECNO CAMON 18", Software: "CH6n-H6914ABC-S-GL-221017V410"},
	{Make: "Xiaomi", Model: "Redmi Note 9", Software: "MIUI V12.5.3.0.QJOMIXM"},
	{Make: "HUAWEI", Model: "HUAWEI P30", Software: "ELE-L29 11.0.0.196(C431E6R2P1)"},
}

// place is a town photos are taken around: its position, the spread of
// positions around it in degrees, its height above sea level in metres and
// its UTC offset in hours.
type place struct {
	lat, lon, spread, alt float64
	zone                  int
}

var places = []place{
	{-4.04, 39.67, 0.3, 20, 3},    // Mombasa
	{-1.29, 36.82, 0.4, 1700, 3},  // Nairobi
	{-6.79, 39.21, 0.3, 30, 3},    // Dar es Salaam
	{0.35, 32.58, 0.4, 1190, 3},   // Kampala
	{-3.37, 36.68, 0.5, 1400, 3},  // Arusha
	{20.86, 106.68, 0.3, 10, 7},   // Hai Phong
	{21.03, 105.85, 0.4, 20, 7},   // Hanoi
	{10.78, 106.70, 0.4, 10, 7},   // Ho Chi Minh City
	{13.75, 100.50, 0.4, 5, 7},    // Bangkok
	{3.14, 101.69, 0.4, 60, 8},    // Kuala Lumpur
	{-6.21, 106.85, 0.4, 8, 7},    // Jakarta
	{11.65, 42.41, 0.05, -155, 3}, // Lake Assal, Djibouti: below sea level
}

// writePhotos writes n small JPEG photos into dir, 100 a folder, each
// with the EXIF metadata of package testphoto: camera, time taken with its
// zone, and a GPS position. Positions scatter around towns of East Africa
// and South-East Asia; about one in 60 is at Lake Assal, below sea level,
// and coastal towns' GPS altitudes fall a few metres either side of it.
// The same n gives the same files.
func writePhotos(dir string, n int) error {
	rng := rand.New(rand.NewPCG(7, 8))
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// A gradient with a random tint and some noise, so no two
		// images are alike.
		r0, g0, b0 := rng.IntN(256), rng.IntN(256), rng.IntN(256)
		for y := range 48 {
			for x := range 64 {
				img.Set(x, y, color.RGBA{uint8(r0 + 3*x + rng.IntN(16)), uint8(g0 + 4*y), uint8(b0 + x + y), 255})
			}
		}

		// Lake Assal for about one photo in 60, else any other town.
		pl := places[rng.IntN(len(places)-1)]
		if rng.IntN(60) == 0 {
			pl = places[len(places)-1]
		}
		cam := cameras[rng.IntN(len(cameras))]
		local := start.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		local = local.Truncate(time.Second)
		taken := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0,
			time.FixedZone("", pl.zone*3600))
		p := testphoto.Photo{
			Camera: cam,
			Taken:  taken,
			SubSec: rng.IntN(1000),
			GPS: &testphoto.GPS{
				Latitude:  pl.lat + (rng.Float64()*2-1)*pl.spread,
				Longitude: pl.lon + (rng.Float64()*2-1)*pl.spread,
				Altitude:  pl.alt + rng.Float64()*30 - 10,
				Direction: rng.Float64() * 360,
			},
		}
		if pl.alt < 0 {
			p.GPS.Altitude = pl.alt + rng.Float64()*10
		}
		out, err := testphoto.Encode(img, 80, p)
		if err != nil {
			return fmt.Errorf("photo %d: %w", i, err)
		}

		path := filepath.Join(dir, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("IMG_%05d.jpg", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			return err
		}
		// Give the file the time it was taken, as a camera's card would.
		if err := os.Chtimes(path, taken, taken); err != nil {
			return err
		}
	}
	return nil
}
