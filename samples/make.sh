#!/bin/sh
# Redraws the bundled sample photos and their truth files with `tlc synth`.
# Every photo is synthetic; the seeds are fixed, so this script gives the same
# files each time (with the same versions of tlc, NumPy and OpenCV).
#
# Rf values given with --spots: cocaine 0.59 and heroin 0.42 are the library's
# TA values (references/substances/*.yaml, with their sources); the caffeine
# lane's 0.50 is illustrative only (no literature TA value is known).
# Sample lanes put the same substances a little off (±0.01), as real runs do.
set -eu
cd "$(dirname "$0")"

tlc synth uv254-4lanes.jpg --lanes S1,cocaine,S2,caffeine \
    --spots "0.50,0.595;0.59;0.0,0.585;0.505" \
    --seed 11 --light 0.2 --noise 0.15 --photo-size 1600x1200 --quality 85

tlc synth uv254-phone-6lanes.jpg --lanes S1,S2,cocaine,S3,heroin,S4 \
    --spots "0.59;0.42,0.6;0.59;*;0.42;*" \
    --seed 2 --perspective 0.6 --rotation 6 --light 0.5 --noise 0.4 --blur 0.2 \
    --no-front-line --photo-size 2000x1500 --quality 85

tlc synth stain-3lanes.jpg --mode stain --lanes S1,heroin,S2 \
    --spots "0.42,0.7;0.42;0.25" \
    --seed 3 --perspective 0.3 --rotation -4 --light 0.3 --noise 0.2 \
    --photo-size 1600x1200 --quality 85

tlc synth uv365-5lanes.jpg --mode uv365 --lanes 5 \
    --seed 4 --perspective 0.2 --light 0.3 --noise 0.3 --photo-size 1600x1200 --quality 85

tlc synth uv254-8lanes.jpg --lanes 8 --size 100x100 \
    --seed 5 --perspective 0.2 --rotation -3 --light 0.3 --noise 0.2 \
    --photo-size 1500x1500 --quality 85

tlc synth uv254-cropped.jpg --cropped --lanes S1,S2,cocaine,S3 --size 100x50 \
    --spots "0.59,0.3;*;0.59;0.0,0.6" \
    --seed 6 --light 0.2 --noise 0.2 --no-front-line --photo-size 1800x900 --quality 85

tlc synth strips-uv254.jpg --strips 4 --spots "0.59;0.42;0.59,0.3;0.5" --seed 2 --quality 85
